// Issue 18 item 6a: a sadf -d file of N hosts with one row each (default 20,000; about 0.9 MB).
// Usage: node bench/gen-hosts.mjs [N] > hosts.sadf
const n = Number(process.argv[2] ?? 20000);
const out = ['# hostname;interval;timestamp;totsck;tcpsck;udpsck;rawsck;ip-frag;tcp-tw'];
for (let i = 0; i < n; i++) out.push(`host${i};60;2026-11-25 04:07:14 UTC;11;1;0;0;0;2`);
process.stdout.write(out.join('\n') + '\n');
