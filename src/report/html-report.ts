import type { AnalysisReport } from '../analyze.js';
import type { Finding } from '../rules/engine.js';
import type { HostSeries } from '../series/series.js';
import { fleet } from './findings.js';

/**
 * One self-contained HTML file: inline CSS, JS and SVG, no request leaves the page.
 * Findings, evidence and inputs are rendered here as escaped HTML (readable and printable
 * without JS); charts are drawn by the inline script from JSON data embedded with `<`
 * escaped, building SVG with createElementNS/textContent only. Hand-written SVG: a few
 * hundred lines we control (hover, log scale, shaded finding windows) instead of a
 * charting library and its weight in every report.
 */

/** Key series of the chart, in legend order. */
const SERIES: { key: string; label: string; color: string; get: (s: HostSeries, i: number) => number | undefined }[] = [
  { key: 'tcp_alloc', label: 'TCP alloc (host-wide)', color: '#1f77b4', get: (s, i) => s.value(i, 'tcp_alloc') },
  {
    key: 'tcp_hashed', label: 'hashed TCP (inuse4 + inuse6)', color: '#2ca02c',
    get: (s, i) => {
      const a = s.value(i, 'tcp4_inuse');
      const b = s.value(i, 'tcp6_inuse');
      return a === undefined || b === undefined ? undefined : a + b;
    },
  },
  { key: 'tcp_tw', label: 'TIME-WAIT', color: '#9467bd', get: (s, i) => s.value(i, 'tcp_tw') },
  { key: 'tcp_unhashed', label: 'unhashed (closed - timewait)', color: '#d62728', get: (s, i) => s.value(i, 'tcp_unhashed') },
  { key: 'tcp_orphan', label: 'orphaned (host-wide)', color: '#ff7f0e', get: (s, i) => s.value(i, 'tcp_orphan') },
  { key: 'tcp_estab', label: 'estab', color: '#8c564b', get: (s, i) => s.value(i, 'tcp_estab') },
];

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe inside a <script> element: no `<` (so no `</script>`), no U+2028/2029. */
function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function chartData(report: AnalysisReport, series: HostSeries[]) {
  return series.map((s) => {
    const idx = Array.from({ length: s.length }, (_, i) => i);
    const lines = SERIES.map((d) => ({ key: d.key, label: d.label, color: d.color, values: idx.map((i) => d.get(s, i) ?? null) })).filter(
      (l) => l.key !== 'tcp_estab' || l.values.some((v) => v !== null),
    );
    const findings = report.findings
      .filter((f) => f.series === s.label && f.first_seen)
      .map((f) => ({ rule: f.rule, severity: f.severity, first: Date.parse(f.first_seen!), last: Date.parse(f.last_seen ?? f.first_seen!) }));
    return {
      host: s.label,
      times: idx.map((i) => s.timeMs(i) ?? null),
      sources: idx.map((i) => s.source(i)),
      lines,
      findings,
    };
  });
}

function findingHtml(f: Finding): string {
  const cols = [...new Set(f.evidence.flatMap((e) => Object.keys(e.values)))];
  const rows = f.evidence
    .map((e) => `<tr><th>${esc(e.label)}</th><td>${esc(e.time ?? '—')}</td><td class="src">${esc(e.source)}</td>${cols.map((c) => `<td class="n">${esc(String(e.values[c] ?? '—'))}</td>`).join('')}</tr>`)
    .join('');
  return `<article class="finding sev-${f.severity}" data-rule="${esc(f.rule)}">
<h4><span class="badge">${esc(f.severity)}</span> ${esc(f.title)} <code>${esc(f.rule)}</code></h4>
<p class="when">${esc(f.first_seen ?? 'time unknown')}${f.last_seen && f.last_seen !== f.first_seen ? ` → ${esc(f.last_seen)}` : ''}, ${f.count} snapshot(s)</p>
<p class="msg">${esc(f.message)}</p>
${f.notes.map((n) => `<p class="note">Note: ${esc(n)}</p>`).join('')}
<table class="evidence"><thead><tr><th></th><th>time</th><th>source</th>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>
${f.limits.length ? `<p class="limits">Limits: ${f.limits.map((l) => `${esc(l.name)} = ${l.value} (${esc(l.source)})`).join(', ')}</p>` : ''}
<details><summary>Why, and what to do</summary><p>${esc(f.explain)}</p><pre>${esc(f.remediation)}</pre>
<p>${f.references.map((r) => `<a href="${esc(r.url)}" rel="noreferrer">${esc(r.title)}</a>`).join(' · ')}</p></details>
</article>`;
}

export function renderHtml(report: AnalysisReport, series: HostSeries[]): string {
  const hosts = fleet(report);
  const i = report.inputs;
  const byHost = hosts
    .map((h, k) => {
      const idx = series.findIndex((s) => s.label === h.series);
      return `<section class="host" id="host-${k}">
<h2>Host ${esc(h.series)}</h2>
<p class="meta">${h.snapshots} snapshot(s)${h.first ? `, ${esc(h.first)} → ${esc(h.last ?? '')}` : ''}; ${h.counts.critical} critical, ${h.counts.warning} warning, ${h.counts.info} info</p>
<div class="chart" data-series="${idx}"></div>
${h.findings.map(findingHtml).join('\n')}
</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>sockscope report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
h4{margin:8px 0 4px;font-size:15px} code,.src{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
table{border-collapse:collapse;margin:6px 0} td,th{border:1px solid #e3e3e3;padding:2px 6px;text-align:left} td.n{text-align:right}
.fleet td,.fleet th{padding:3px 10px}
.badge{display:inline-block;border-radius:3px;padding:0 6px;color:#fff;font-size:12px;text-transform:uppercase}
.sev-critical .badge{background:#b00020}.sev-warning .badge{background:#c77700}.sev-info .badge{background:#3a6ea5}
.finding{border-left:4px solid #ccc;padding:2px 12px;margin:12px 0}.finding.sev-critical{border-color:#b00020}.finding.sev-warning{border-color:#c77700}.finding.sev-info{border-color:#3a6ea5}
.note{background:#fff8e1;padding:4px 8px}.meta,.when{color:#555;margin:2px 0}
.chart{position:relative;margin:8px 0}.chart svg{width:100%;height:auto;background:#fcfcfc;border:1px solid #eee}
.legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px;margin:4px 0}.legend i{display:inline-block;width:14px;height:3px;vertical-align:middle;margin-right:4px}
.tip{position:absolute;pointer-events:none;background:#fff;border:1px solid #999;padding:4px 8px;font-size:12px;box-shadow:0 2px 6px rgba(0,0,0,.15);display:none;white-space:nowrap;z-index:2}
.controls{font-size:12px;color:#444}
@media print{.controls,.tip{display:none}details{display:block}details>*{display:block}section.host,article{break-inside:avoid}body{margin:0}}
</style></head>
<body>
<h1>sockscope findings</h1>
<p class="meta">${i.files} file(s), ${i.blocks} block(s) → ${i.snapshots} snapshot(s), ${i.skipped.length} skipped, ${report.hosts.length} host(s) · sockscope ${esc(report.tool.version)}</p>
<table class="fleet"><thead><tr><th>host</th><th>snapshots</th><th>from</th><th>to</th><th>critical</th><th>warning</th><th>info</th></tr></thead><tbody>
${hosts.map((h, k) => `<tr><td><a href="#host-${k}">${esc(h.series)}</a></td><td class="n">${h.snapshots}</td><td>${esc(h.first ?? '—')}</td><td>${esc(h.last ?? '—')}</td><td class="n">${h.counts.critical}</td><td class="n">${h.counts.warning}</td><td class="n">${h.counts.info}</td></tr>`).join('\n')}
</tbody></table>
<p class="controls"><label><input type="checkbox" id="log"> log scale</label></p>
${byHost}
<section class="inputs"><h2>Inputs</h2>
<p>${i.files} file(s), ${i.bytes} bytes, ${i.blocks} block(s), ${i.blocks_in_snapshots} in snapshots, ${i.skipped.length} skipped, ${i.outside_lines} line(s) outside any capture.</p>
${report.limits.length ? `<h3>Limits</h3><ul>${report.limits.map((l) => `<li>${esc(l.series)}: ${esc(l.name)} = ${l.value} (${esc(l.source)})</li>`).join('')}</ul>` : ''}
${i.skipped.length ? `<h3>Skipped blocks</h3><ul class="skipped">${i.skipped.map((s) => `<li><code>${esc(s.source)}</code>: ${esc(s.reason)}</li>`).join('')}</ul>` : ''}
${i.problems.length ? `<h3>Input problems</h3><ul class="problems">${i.problems.map((s) => `<li><code>${esc(s.source)}</code>: ${esc(s.reason)}</li>`).join('')}</ul>` : ''}
${report.not_evaluated.length ? `<h3>Not evaluated</h3><ul>${report.not_evaluated.map((n) => `<li>${esc(n.rule)} on ${esc(n.series)}: ${esc(n.missing.join(', ') || 'no usable snapshot')}</li>`).join('')}</ul>` : ''}
</section>
<script type="application/json" id="sockscope-data">${scriptJson(chartData(report, series))}</script>
<script>${CHART_JS}</script>
</body></html>
`;
}

/** The chart: plain DOM and SVG, text only through textContent. */
const CHART_JS = `(function(){
'use strict';
var NS='http://www.w3.org/2000/svg';
var data=JSON.parse(document.getElementById('sockscope-data').textContent);
var SEV={critical:'rgba(176,0,32,.13)',warning:'rgba(199,119,0,.13)',info:'rgba(58,110,165,.10)'};
function el(n,a){var e=document.createElementNS(NS,n);for(var k in a)e.setAttribute(k,a[k]);return e;}
function fmtT(ms){return ms==null?'time unknown':new Date(ms).toISOString().replace('.000Z','Z');}
function draw(box,d,log){
  box.textContent='';
  var W=960,H=300,L=60,R=10,T=10,B=40;
  var n=d.times.length, idx=[];
  var t0=Infinity,t1=-Infinity,y1=0;
  for(var i=0;i<n;i++){var t=d.times[i];if(t!=null){t0=Math.min(t0,t);t1=Math.max(t1,t);}}
  var timed=isFinite(t0);
  if(!timed){t0=0;t1=Math.max(1,n-1);}
  if(t1===t0)t1=t0+1;
  function X(i){var t=timed?d.times[i]:i;if(t==null)t=t1;return L+(W-L-R)*(t-t0)/(t1-t0);}
  d.lines.forEach(function(l){l.values.forEach(function(v){if(v!=null&&v>y1)y1=v;});});
  if(y1<=0)y1=1;
  function tr(v){return log?Math.log10(Math.max(v,0)+1):v;}
  function Y(v){return T+(H-T-B)*(1-tr(v)/tr(y1));}
  var svg=el('svg',{viewBox:'0 0 '+W+' '+H,role:'img'});
  d.findings.forEach(function(f){
    var xa=L+(W-L-R)*(f.first-t0)/(t1-t0),xb=L+(W-L-R)*(f.last-t0)/(t1-t0);
    var r=el('rect',{x:xa,y:T,width:Math.max(3,xb-xa),height:H-T-B,fill:SEV[f.severity]||SEV.info,'class':'shade sev-'+f.severity,'data-rule':f.rule});
    var tt=el('title',{});tt.textContent=f.severity+': '+f.rule;r.appendChild(tt);svg.appendChild(r);
  });
  svg.appendChild(el('line',{x1:L,y1:H-B,x2:W-R,y2:H-B,stroke:'#999'}));
  svg.appendChild(el('line',{x1:L,y1:T,x2:L,y2:H-B,stroke:'#999'}));
  for(var k=0;k<=4;k++){var v=log?Math.pow(10,tr(y1)*k/4)-1:y1*k/4;var y=Y(v);
    svg.appendChild(el('line',{x1:L,y1:y,x2:W-R,y2:y,stroke:'#eee'}));
    var tx=el('text',{x:L-6,y:y+4,'text-anchor':'end','font-size':11,fill:'#555'});tx.textContent=String(Math.round(v));svg.appendChild(tx);}
  if(timed){for(var k2=0;k2<=4;k2++){var tm=t0+(t1-t0)*k2/4;var x=L+(W-L-R)*k2/4;
    var lb=el('text',{x:x,y:H-B+16,'text-anchor':k2===0?'start':k2===4?'end':'middle','font-size':11,fill:'#555'});lb.textContent=fmtT(tm).slice(11,19);svg.appendChild(lb);}
    var dl=el('text',{x:L,y:H-6,'font-size':11,fill:'#555'});dl.textContent=fmtT(t0).slice(0,10)+' (UTC)';svg.appendChild(dl);}
  d.lines.forEach(function(l){
    var pts='',segs=[];
    l.values.forEach(function(v,i){if(v==null){if(pts)segs.push(pts);pts='';return;}pts+=X(i).toFixed(1)+','+Y(v).toFixed(1)+' ';});
    if(pts)segs.push(pts);
    segs.forEach(function(p){var a={points:p,fill:'none',stroke:l.color,'stroke-width':1.6,'class':'line','data-series':l.key};if(l.key==='tcp_alloc'){a['stroke-dasharray']='6,3';a['stroke-width']=2.4;}svg.appendChild(el('polyline',a));});
    var g=el('g',{'class':'points','data-series':l.key});
    l.values.forEach(function(v,i){if(v==null)return;g.appendChild(el('circle',{cx:X(i).toFixed(1),cy:Y(v).toFixed(1),r:n>400?1:2.2,fill:l.color,'class':'pt','data-i':i}));});
    svg.appendChild(g);
  });
  var cursor=el('line',{x1:0,y1:T,x2:0,y2:H-B,stroke:'#333','stroke-dasharray':'3,3',visibility:'hidden'});svg.appendChild(cursor);
  var overlay=el('rect',{x:L,y:T,width:W-L-R,height:H-T-B,fill:'transparent','class':'overlay'});svg.appendChild(overlay);
  box.appendChild(svg);
  var legend=document.createElement('div');legend.className='legend';
  d.lines.forEach(function(l){var s=document.createElement('span');var sw=document.createElement('i');sw.style.background=l.color;s.appendChild(sw);s.appendChild(document.createTextNode(l.label));legend.appendChild(s);});
  box.appendChild(legend);
  var tip=document.createElement('div');tip.className='tip';box.appendChild(tip);
  function show(ev){
    var rect=svg.getBoundingClientRect();var px=(ev.clientX-rect.left)*W/rect.width;
    var best=0,bd=Infinity;for(var i=0;i<n;i++){var dd=Math.abs(X(i)-px);if(dd<bd){bd=dd;best=i;}}
    cursor.setAttribute('x1',X(best));cursor.setAttribute('x2',X(best));cursor.setAttribute('visibility','visible');
    tip.textContent='';
    var h=document.createElement('b');h.textContent=fmtT(d.times[best]);tip.appendChild(h);
    var src=document.createElement('div');src.className='tip-source';src.textContent=d.sources[best];tip.appendChild(src);
    d.lines.forEach(function(l){var r=document.createElement('div');var v=l.values[best];r.textContent=l.label+': '+(v==null?'absent':v);r.setAttribute('data-series',l.key);tip.appendChild(r);});
    tip.style.display='block';
    var left=ev.clientX-rect.left+12;if(left+tip.offsetWidth>rect.width)left=Math.max(0,ev.clientX-rect.left-12-tip.offsetWidth);
    tip.style.left=left+'px';tip.style.top=(ev.clientY-rect.top+12)+'px';
  }
  overlay.addEventListener('mousemove',show);
  overlay.addEventListener('mouseleave',function(){tip.style.display='none';cursor.setAttribute('visibility','hidden');});
}
var boxes=document.querySelectorAll('.chart');
function all(){var log=document.getElementById('log').checked;for(var b=0;b<boxes.length;b++){var d=data[Number(boxes[b].getAttribute('data-series'))];if(d)draw(boxes[b],d,log);}}
document.getElementById('log').addEventListener('change',all);
all();
})();`;
