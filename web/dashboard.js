// The procstream dashboard: plain browser JavaScript, no build step. Every piece of data (unit names above all, which
// any local user can choose) reaches the page through textContent or attributes, never through innerHTML.
'use strict';
(function () {
  const $ = (sel) => document.querySelector(sel);
  const state = { rows: new Map(), sparks: new Map(), sortKey: 'unit', sortDir: 1, filter: '', logWindow: false, unit: null, series: null };
  const SPARK_POINTS = 60;

  const fmtBytes = (b) => {
    if (b === null || b === undefined) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (b >= 1024 && i < units.length - 1) { b /= 1024; i += 1; }
    return `${b.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
  };
  const fmtPct = (p) => (p === null || p === undefined ? '–' : p.toFixed(1));
  const fmtRate = (r) => (r === null || r === undefined ? '–' : `${fmtBytes(r)}/s`);
  const el = (tag, props = {}, children = []) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'text') node.textContent = v; else if (k === 'class') node.className = v; else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  };

  function sparkline(values) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'spark'); svg.setAttribute('width', '120'); svg.setAttribute('height', '20');
    const nums = values.filter((v) => v !== null);
    const max = Math.max(1, ...nums);
    // Down markers and missing baselines break the line: one polyline per run of numbers.
    let run = [];
    const flush = () => {
      if (run.length > 1) {
        const line = document.createElementNS(ns, 'polyline');
        line.setAttribute('points', run.join(' '));
        svg.append(line);
      }
      run = [];
    };
    values.forEach((v, i) => {
      if (v === null) return flush();
      run.push(`${((i / (SPARK_POINTS - 1)) * 118 + 1).toFixed(1)},${(19 - (v / max) * 18).toFixed(1)}`);
    });
    flush();
    return svg;
  }

  function renderTable() {
    const tbody = $('#units tbody');
    const needle = state.filter.toLowerCase();
    const rows = [...state.rows.values()].filter((r) => r.unit.toLowerCase().includes(needle));
    const { sortKey: k, sortDir: d } = state;
    rows.sort((a, b) => {
      const x = a[k]; const y = b[k];
      if (x === y) return a.unit < b.unit ? -1 : 1;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * d;
    });
    tbody.replaceChildren(...rows.map((r) => el('tr', { 'data-unit': r.unit }, [
      el('td', { class: 'unit' }, [el('a', { href: `#unit=${encodeURIComponent(r.unit)}`, text: r.unit })]),
      el('td', { class: `state state-${r.state}`, text: r.state === 'down' && r.reason ? `down (${r.reason})` : r.state }),
      el('td', { class: 'num cpu', text: fmtPct(r.cpuPercent) }),
      el('td', { class: 'num rss', text: fmtBytes(r.rssBytes) }),
      el('td', { class: 'num', text: fmtRate(r.ioReadBytesPerSec) }),
      el('td', { class: 'num', text: fmtRate(r.ioWriteBytesPerSec) }),
      el('td', { class: 'num restarts', text: String(r.restarts) }),
      el('td', {}, [sparkline(state.sparks.get(r.unit) ?? [])]),
    ])));
    $('#count').textContent = `${rows.length} of ${state.rows.size} units`;
    for (const th of document.querySelectorAll('#units th[data-key]')) {
      th.classList.toggle('sorted-asc', th.dataset.key === k && d === 1);
      th.classList.toggle('sorted-desc', th.dataset.key === k && d === -1);
    }
  }

  let tablePending = false;
  const scheduleTable = () => {
    if (tablePending) return;
    tablePending = true;
    requestAnimationFrame(() => { tablePending = false; renderTable(); });
  };

  function applyRow(row) {
    const before = state.rows.get(row.unit);
    state.rows.set(row.unit, row);
    if (before && before.ts === row.ts) return;
    const spark = state.sparks.get(row.unit) ?? [];
    if (row.state !== 'new') spark.push(row.state === 'up' ? row.cpuPercent : null);
    if (spark.length > SPARK_POINTS) spark.splice(0, spark.length - SPARK_POINTS);
    state.sparks.set(row.unit, spark);
  }

  // ---- the unit view: two uPlot charts of min/mean/max buckets, with restart markers ----
  const charts = {};
  function markers(getMarks) {
    return { hooks: { draw: [(u) => {
      const { ctx, bbox } = u;
      ctx.save();
      ctx.strokeStyle = '#c62828'; ctx.lineWidth = 2; ctx.setLineDash([6, 4]);
      for (const t of getMarks()) {
        const x = Math.round(u.valToPos(t / 1000, 'x', true));
        if (x < bbox.left || x > bbox.left + bbox.width) continue;
        ctx.beginPath(); ctx.moveTo(x, bbox.top); ctx.lineTo(x, bbox.top + bbox.height); ctx.stroke();
      }
      ctx.restore();
    }] } };
  }
  function makeChart(id, label, color, fmt) {
    const target = $(id);
    const opts = {
      width: Math.max(400, target.clientWidth || 900), height: 220,
      plugins: [markers(() => (state.series ? state.series.restartsMs : []))],
      scales: { x: { time: true } },
      series: [
        {},
        { label: `${label} min`, stroke: 'transparent', value: (u, v) => fmt(v) },
        { label: `${label} mean`, stroke: color, width: 1.5, value: (u, v) => fmt(v) },
        { label: `${label} max`, stroke: 'transparent', value: (u, v) => fmt(v) },
      ],
      bands: [{ series: [3, 1], fill: `${color}33` }],
      axes: [{}, { values: (u, vals) => vals.map(fmt), size: 70 }],
    };
    const chart = new uPlot(opts, [[], [], [], []], target);
    target.uplot = chart; // for tests and the console: the drawn data is chart.data
    return chart;
  }
  function drawSeries(s) {
    state.series = s;
    const x = s.ts.map((t) => t / 1000);
    charts.cpu ??= makeChart('#cpu-chart', 'CPU %', '#1565c0', fmtPct);
    charts.rss ??= makeChart('#rss-chart', 'RSS', '#6a1b9a', fmtBytes);
    charts.cpu.setData([x, s.cpuMin, s.cpuMean, s.cpuMax]);
    charts.rss.setData([x, s.rssMin, s.rssMean, s.rssMax]);
    $('#restarts').replaceChildren(...(s.restartsMs.length ? s.restartsMs.map((t) => el('li', { class: 'restart', 'data-ts': String(t), text: new Date(t).toLocaleString() }))
      : [el('li', { text: 'none' })]));
  }

  let seriesInFlight = false;
  let seriesFetchedAt = 0;
  async function loadSeries(force) {
    const unit = state.unit;
    const win = $('#window').value;
    const every = { '5m': 1000, '1h': 10000 }[win] ?? 60000;
    if (unit === null || seriesInFlight || (!force && Date.now() - seriesFetchedAt < every)) return;
    seriesInFlight = true;
    try {
      const points = Math.max(100, Math.min(1200, Math.floor(($('#cpu-chart').clientWidth || 900))));
      const res = await fetch(`/api/units/${encodeURIComponent(unit)}/series?window=${win}&points=${points}`);
      const body = await res.json();
      if (unit !== state.unit) return;
      if (!res.ok) { $('#unit-state').textContent = body.error; return; }
      seriesFetchedAt = Date.now();
      drawSeries(body);
    } finally {
      seriesInFlight = false;
    }
  }

  function showUnitState() {
    const row = state.rows.get(state.unit);
    const s = $('#unit-state');
    s.className = `state state-${row ? row.state : 'new'}`;
    s.textContent = row ? `${row.state}${row.reason ? ` (${row.reason})` : ''}, pid ${row.pid ?? '–'}, ${row.restarts} restarts` : 'unknown unit';
  }

  function route() {
    const m = /^#unit=(.*)$/.exec(location.hash);
    let unit = null;
    try { unit = m ? decodeURIComponent(m[1]) : null; } catch { unit = null; }
    state.unit = unit;
    $('#list-view').hidden = unit !== null;
    $('#unit-view').hidden = unit === null;
    if (unit === null) return renderTable();
    $('#unit-name').textContent = unit;
    showUnitState();
    loadSeries(true);
  }

  // ---- wiring ----
  $('#filter').addEventListener('input', (e) => { state.filter = e.target.value; renderTable(); });
  for (const th of document.querySelectorAll('#units th[data-key]')) {
    th.addEventListener('click', () => {
      const key = th.dataset.key;
      state.sortDir = state.sortKey === key ? -state.sortDir : (key === 'unit' || key === 'state' ? 1 : -1);
      state.sortKey = key;
      renderTable();
    });
  }
  $('#window').addEventListener('change', () => loadSeries(true));
  window.addEventListener('hashchange', route);

  fetch('/api/units').then((r) => r.json()).then((body) => {
    state.logWindow = body.logWindow === true;
    $('#window option[value="log"]').hidden = !state.logWindow;
    for (const u of body.units) {
      state.sparks.set(u.unit, u.sparkCpuPercent);
      state.rows.set(u.unit, u);
    }
    route();
  });

  let updates = 0;
  const events = new EventSource('/api/events');
  events.onopen = () => { $('#status').textContent = 'live'; };
  events.onerror = () => { $('#status').textContent = 'reconnecting…'; };
  events.onmessage = (msg) => {
    const { rows, removed } = JSON.parse(msg.data);
    for (const r of rows) applyRow(r);
    for (const u of removed) { state.rows.delete(u); state.sparks.delete(u); }
    updates += 1;
    $('#status').textContent = `live · ${updates} updates · ${new Date().toLocaleTimeString()}`;
    document.body.dataset.updates = String(updates);
    if (state.unit === null) scheduleTable();
    else {
      showUnitState();
      if (rows.some((r) => r.unit === state.unit)) loadSeries(false);
    }
  };
})();
