// Issue 17: a syslog file of about SIZE MiB (default 300) of ordinary lines, with one kernel
// line every 100,000 that a rule's pattern matches (SYN flooding, conntrack table full,
// net_ratelimit), to measure streaming a big var/log/messages (time and memory).
// Usage: node bench/gen-messages.mjs [MiB] > messages
const mib = Number(process.argv[2] ?? 300);
const lines = [
  'systemd[1]: Started Session 1234 of user root.',
  'sshd[20422]: Accepted publickey for root from 10.0.0.5 port 50522 ssh2: RSA SHA256:abcdefghijklmnop',
  'kernel: [1694413.621694] IPv4: martian source 10.1.2.3 from 10.1.2.4, on dev eth0',
  'CRON[30001]: (root) CMD (run-parts --report /etc/cron.hourly)',
];
const rare = [
  'kernel: [1694413.700000] TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:443. Sending cookies.',
  'kernel: [1694414.000000] nf_conntrack: nf_conntrack: table full, dropping packet',
  'kernel: [1694414.100000] net_ratelimit: 37 callbacks suppressed',
];
const out = process.stdout;
let bytes = 0;
let n = 0;
let buf = '';
const t0 = Date.UTC(2026, 10, 24);
while (bytes < mib * 1048576) {
  const d = new Date(t0 + n * 10);
  const stamp = `Nov ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)} node3`;
  const l = `${stamp} ${n % 100000 === 99999 ? rare[(n / 100000) % 3 | 0] : lines[n % 4]}\n`;
  buf += l;
  bytes += l.length;
  n++;
  if (buf.length > 1 << 20) {
    out.write(buf);
    buf = '';
  }
}
out.write(buf);
