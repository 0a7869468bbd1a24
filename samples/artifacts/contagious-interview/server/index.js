const express = require('express');
const config = require('./config/config');

const app = express();
app.get('/api/staking', (req, res) => res.json({ apy: 4.2, pools: config.pools }));
app.listen(3000, () => console.log('listening on http://127.0.0.1:3000'));
