// HeistGuard's own YARA rules for DPRK "Contagious Interview" tooling, written from the public
// descriptions below (no rule text copied from anyone). Each rule's `hg_rule` names the HeistGuard
// rule id its matches are reported under; `hg_severity` sets the finding's severity.
//
// Sources (behaviour descriptions, read 2026-11-26):
//  - Unit 42, "Hacking Employers and Seeking Employment: Two Job-Related Campaigns Bear Hallmarks of
//    North Korean Threat Actors" (2023-11-21): BeaverTail JS stealer/loader, InvisibleFerret Python backdoor.
//  - Unit 42, "Contagious Interview: DPRK Threat Actors Lure Tech Industry Job Seekers" (2024-10-09).
//  - FBI PSA I-090324-PSA (2024-09-03): North Korean social engineering of crypto firms' staff.

rule HG_BeaverTail_JS_Loader
{
    meta:
        hg_rule = "artifacts.yara-beavertail"
        hg_severity = "critical"
        description = "JavaScript that reads browser wallet stores and talks to the BeaverTail URL layout"
        reference = "https://unit42.paloaltonetworks.com/two-campaigns-by-north-korea-bad-actors-target-job-hunters/"
    strings:
        // the server paths BeaverTail uses: upload stolen files, fetch Python, fetch the next client
        $path_upload = "/uploads" ascii
        $path_pdown = "/pdown" ascii
        $path_client = "/client/" ascii
        $path_keys = "/keys" ascii
        $port_1224 = ":1224" ascii
        $port_1244 = ":1244" ascii
        $port_1245 = ":1245" ascii
        $py_zip = /p2?\.zi[p"']/ ascii
        $store_ext = "Local Extension Settings" ascii
        $store_login = "Login Data" ascii
        $store_sol = "solana/id.json" ascii
        $store_keychain = "login.keychain" ascii
        $metamask = "nkbihfbeogaeaoehlefnkodbefgpgknn" ascii
        $phantom = "bfnaelmomeimhlpmgjnjophhpkkoljpa" ascii
    condition:
        filesize < 5MB and
        2 of ($path_*, $port_*, $py_zip) and
        2 of ($store_*, $metamask, $phantom)
}

rule HG_InvisibleFerret_Python_Backdoor
{
    meta:
        hg_rule = "artifacts.yara-invisibleferret"
        hg_severity = "critical"
        description = "Python backdoor with InvisibleFerret's ssh_* command table and host fingerprint"
        reference = "https://unit42.paloaltonetworks.com/two-campaigns-by-north-korea-bad-actors-target-job-hunters/"
    strings:
        $cmd_cmd = "ssh_cmd" ascii
        $cmd_obj = "ssh_obj" ascii
        $cmd_clip = "ssh_clip" ascii
        $cmd_run = "ssh_run" ascii
        $cmd_upload = "ssh_upload" ascii
        $cmd_kill = "ssh_kill" ascii
        $cmd_any = "ssh_any" ascii
        $cmd_env = "ssh_env" ascii
        $py = /\bdef\s+\w+\s*\(/ ascii
    condition:
        filesize < 2MB and $py and 4 of ($cmd_*)
}

rule HG_Contagious_Interview_Python_Stager
{
    meta:
        hg_rule = "artifacts.yara-invisibleferret"
        hg_severity = "high"
        description = "Python stager that fetches a .npl/pay/bow module from a port-1224-style server into the home folder"
        reference = "https://unit42.paloaltonetworks.com/north-korean-threat-actors-lure-tech-job-seekers-as-fake-recruiters/"
    strings:
        $fetch1 = "urlopen" ascii
        $fetch2 = "requests.get" ascii
        $home = "expanduser" ascii
        $npl = ".npl" ascii
        $mod_pay = "/payload/" ascii
        $mod_bow = "/brow/" ascii
        $port = /:12(24|44|45)\b/ ascii
        $exec = /\bexec\s*\(/ ascii
    condition:
        filesize < 1MB and 1 of ($fetch*) and $home and $exec and 2 of ($npl, $mod_pay, $mod_bow, $port)
}

rule HG_Obfuscated_JS_Wallet_Stealer
{
    meta:
        hg_rule = "artifacts.yara-beavertail"
        hg_severity = "high"
        description = "javascript-obfuscator output that also carries wallet extension ids or their hex encoding"
        reference = "https://unit42.paloaltonetworks.com/north-korean-threat-actors-lure-tech-job-seekers-as-fake-recruiters/"
    strings:
        $obf_rotate = "['push'](" ascii
        $obf_shift = "['shift']())" ascii
        $obf_hex = /_0x[0-9a-f]{4,6}\(0x[0-9a-f]{1,4}\)/ ascii
        $mm = "nkbihfbeogaeaoehlefnkodbefgpgknn" ascii
        $mm_hex = "6e6b6269686662656f676165616f65686c65666e6b6f6462656667706b6e6e" ascii nocase
        $ph = "bfnaelmomeimhlpmgjnjophhpkkoljpa" ascii
        $ph_b64 = "YmZuYWVsbW9tZWltaGxwbWdqbmpvcGhocGtrb2xqcGE" ascii
    condition:
        filesize < 5MB and #obf_hex > 10 and $obf_rotate and $obf_shift and any of ($mm*, $ph*)
}
