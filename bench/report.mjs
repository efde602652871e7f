// bench/report.mjs OUTDIR - bench/RESULTS.md from the figures of one run
// (OUTDIR/wrk.tsv, OUTDIR/figures.tsv, OUTDIR/machine.txt; see bench/lib.sh),
// written to stdout.  It only reports: every figure in tables, the ratios
// to the hello-world of the same run and to Redmine at the same size and
// concurrency, and whether each target of issue 7 holds in this run.
import { readFileSync, existsSync } from 'node:fs';

const out = process.argv[2];
const tsv = (f) => existsSync(`${out}/${f}`)
    ? readFileSync(`${out}/${f}`, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'))
    : [];
const runs = tsv('wrk.tsv').map(([sys, size, sc, c, rps, p50, p95, p99, err]) =>
    ({ sys, size, sc, c: +c, rps: +rps, p50: +p50, p95: +p95, p99: +p99, err: +err }));
const figs = tsv('figures.tsv').map(([sys, size, name, value, unit]) => ({ sys, size, name, value, unit }));
const machine = existsSync(`${out}/machine.txt`) ? readFileSync(`${out}/machine.txt`, 'utf8').trim() : '';

const run = (sys, size, sc, c) => runs.find((r) => r.sys === sys && r.size === size && r.sc === sc && r.c === c);
const fig = (sys, size, name) => figs.find((f) => f.sys === sys && f.size === size && f.name.startsWith(name));
const num = (v, d = 1) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d));
const sizes = [...new Set(runs.filter((r) => r.sys === 'shuniu').map((r) => r.size))];
const numeric = sizes.filter((s) => /^\d+$/.test(s)).map(Number).sort((a, b) => a - b);
const largest = numeric.length ? String(numeric[numeric.length - 1]) : sizes[0];
const lines = [];
const p = (s = '') => lines.push(s);

p('# Benchmark results');
p();
p('Written by `make bench` (bench/run.sh); do not edit by hand. wrk runs on the');
p('same cores as the server, so compare the ratios of one run rather than');
p('absolute figures across runs. Nothing here is a pass/fail test.');
p();
p('## Machine');
p();
p('```');
p(machine);
p('```');
p();

const redmineOf = { list: 'rm-list', detail: 'rm-detail', search2: 'rm-search2', search4: 'rm-search4',
    'api-list': 'rm-api-list', 'api-detail': 'rm-api-detail', 'api-search2': 'rm-search2',
    'api-search4': 'rm-search4', transition: 'rm-create' };
for (const size of sizes) {
    p(`## shuniu at ${size} cases`);
    p();
    p('| scenario | conns | req/s | p50 ms | p95 ms | p99 ms | vs hello | vs Redmine | errors |');
    p('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of runs.filter((x) => x.sys === 'shuniu' && x.size === size)) {
        const h = run('shuniu', size, 'hello', r.c);
        const rm = redmineOf[r.sc] && run('redmine', size, redmineOf[r.sc], r.c);
        const vsRm = rm && rm.rps > 0 ? `${Math.round(r.rps / rm.rps)}×` : '–';
        p(`| ${r.sc} | ${r.c} | ${num(r.rps)} | ${num(r.p50, 2)} | ${num(r.p95, 2)} | ${num(r.p99, 2)} | ` +
          `${h && h.rps > 0 ? num(r.rps / h.rps, 3) : '–'} | ${vsRm} | ${r.err} |`);
    }
    p();
    const own = figs.filter((f) => f.sys === 'shuniu' && f.size === size);
    if (own.length) {
        p('| figure | value |');
        p('|---|---:|');
        for (const f of own) p(`| ${f.name} | ${f.value} ${f.unit} |`);
        p();
    }
    const rmRuns = runs.filter((x) => x.sys === 'redmine' && x.size === size);
    if (rmRuns.length) {
        p(`### Redmine at the same size (issues = shuniu's supervision items)`);
        p();
        p('| scenario | conns | req/s | p50 ms | p95 ms | p99 ms | errors |');
        p('|---|---:|---:|---:|---:|---:|---:|');
        for (const r of rmRuns)
            p(`| ${r.sc} | ${r.c} | ${num(r.rps)} | ${num(r.p50, 1)} | ${num(r.p95, 1)} | ${num(r.p99, 1)} | ${r.err} |`);
        p();
        p('| figure | value |');
        p('|---|---:|');
        for (const f of figs.filter((x) => x.sys === 'redmine' && x.size === size)) p(`| ${f.name} | ${f.value} ${f.unit} |`);
        p();
    }
}
const other = figs.filter((f) => f.sys !== 'shuniu' && f.sys !== 'redmine');
if (other.length) {
    p('## Phases');
    p();
    p('| phase | value |');
    p('|---|---:|');
    for (const f of other) p(`| ${f.sys} ${f.size} ${f.name} | ${f.value} ${f.unit} |`);
    p();
}

// ---- targets (issue 7, item 4), judged on this run's figures ----
const TARGET_C = 16; // the concurrency the latency targets are read at
const verdict = (ok) => (ok === undefined ? 'not measured' : ok ? 'holds' : 'misses');
const rows = [];
const target = (what, at, measured, ok) => rows.push(`| ${what} | ${at} | ${measured} | ${verdict(ok)} |`);
const at100k = numeric.includes(100000) ? '100000' : undefined;
for (const sc of ['todo', 'list', 'detail']) {
    const r = run('shuniu', largest, sc, TARGET_C);
    target(`${sc}: p99 < 20 ms`, `${largest}, c=${TARGET_C}`, r ? `${num(r.p99, 2)} ms` : '–', r && r.p99 < 20);
    const worst = runs.filter((x) => x.sys === 'shuniu' && x.size === largest && x.sc === sc)
        .map((x) => { const h = run('shuniu', largest, 'hello', x.c); return h && h.rps > 0 ? x.rps / h.rps : undefined; })
        .filter((v) => v !== undefined);
    const w = worst.length ? Math.min(...worst) : undefined;
    target(`${sc}: ≥ 10% of hello`, `${largest}, every c`, w === undefined ? '–' : `${(100 * w).toFixed(1)}% (lowest)`, w === undefined ? undefined : w >= 0.1);
}
for (const [sc, rm, want] of [['list', 'rm-list', 500], ['search2', 'rm-search2', 500], ['search4', 'rm-search4', 500], ['detail', 'rm-detail', 200]]) {
    const a = at100k && run('shuniu', at100k, sc, TARGET_C);
    const b = at100k && run('redmine', at100k, rm, TARGET_C);
    const ratio = a && b && b.rps > 0 ? a.rps / b.rps : undefined;
    target(`${sc}: ≥ ${want}× Redmine`, `100000, c=${TARGET_C}`, ratio === undefined ? '–' : `${Math.round(ratio)}×`, ratio === undefined ? undefined : ratio >= want);
}
for (const sc of ['search2', 'search4']) {
    const r = run('shuniu', largest, sc, TARGET_C);
    target(`${sc}: p95 < 50 ms`, `${largest}, c=${TARGET_C}`, r ? `${num(r.p95, 2)} ms` : '–', r && r.p95 < 50);
}
{
    const r = run('shuniu', largest, 'transition', 16);
    target('transition: p99 < 30 ms, 16 writers', `${largest}, SQLite`, r ? `${num(r.p99, 2)} ms` : '–', r && r.p99 < 30);
}
{
    const f = fig('shuniu', largest, 'sweep (its own');
    const v = f && parseFloat(f.value);
    target('reminder sweep < 2 s', `${largest}`, f ? `${f.value} ms` : '–', f && !Number.isNaN(v) ? v < 2000 : undefined);
}
{
    const size = at100k || largest;
    const t = fig('shuniu', size, 'export time');
    const g = fig('shuniu', size, 'export RSS growth');
    const rowsF = fig('shuniu', size, 'export rows');
    target('Excel export of 100k rows < 3 s', `${size} (${rowsF ? rowsF.value : '?'} rows)`, t ? `${t.value} ms, RSS +${g ? g.value : '?'} MiB` : '–',
        // the 100k office's cases the reader may see (the classified ones
        // it may not are left out): judged from 95,000 rows
        t && rowsF && +rowsF.value >= 95000 ? +t.value < 3000 : undefined);
}
{
    const f = fig('shuniu', largest, 'cold start');
    target('cold start < 200 ms', largest, f ? `${f.value} ms` : '–', f ? +f.value < 200 : undefined);
    const r = fig('shuniu', largest, 'RSS peak under load');
    target('RSS < 300 MB under load', largest, r ? `${r.value} MiB` : '–', r ? +r.value * 1.048576 < 300 : undefined);
}
p('## Targets (issue 7), in this run');
p();
p(`Latency targets are read at c=${TARGET_C}; a target at a size this run did not measure says "not measured".`);
p();
p('| target | at | measured | |');
p('|---|---|---|---|');
rows.forEach((r) => p(r));
p();
process.stdout.write(lines.join('\n'));
