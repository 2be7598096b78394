import type { InputFormat } from './types.js';

/**
 * Socket listings (ss, netstat, lsof; one module per listing format under
 * `parse/listing/`): joined to the counters of the same moment. Their headers are
 * recognized by `segment/classify.ts`; the normalizer reads them with
 * `parseListing`, which puts the listings of one moment together (a sosreport keeps
 * several listings of the same sockets: they are not added up), so this module has no
 * per-section `read`.
 *
 * Files: `proc/net/tcp` and `tcp6` (loose: `net_tcp`, `proc-net-tcp6.txt`), sos's names (`sos_commands/networking/ss_*` but `ss_-s`, `netstat_*` with `p`
 * among the flags, `sos_commands/process/lsof_*` and `sos_commands/filesys/lsof_*` of sos
 * 3.x and 4.x), and loose per-command files (`ss-tanp`, `ss_-peaonmi.txt`, `lsof-nP`,
 * `netstat-tanp`; not the tables of `netstat -s`, `-i`, `-r`, `-g`, `-M`).
 */
export const listing: InputFormat = {
  kind: 'listing',
  label: 'socket listing',
  priority: 3,
  files: [
    /(^|\/)sos_commands\/networking\/ss_-(?!s$)\S+$/,
    /(^|\/)sos_commands\/networking\/netstat_\S*-[a-zA-Z]*p[a-zA-Z]*$/,
    /(^|\/)sos_commands\/(process|filesys)\/lsof_\S+$/,
    /(^|\/)proc\/(\d+\/)?net\/tcp6?$/,
    /^(proc[-_])?net[-_]tcp6?(\.txt|\.out)?$/,
    /^ss[-_ ]?-?[a-zA-Z]*[tua][a-zA-Z]*(\.txt|\.out)?$/,
    /^lsof([-_ ].*)?$/,
    /^netstat(?![^.]*-[a-zA-Z]*[girsM])([-_ ].*)?$/,
  ],
};
