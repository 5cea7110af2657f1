// GET / — the status page: static HTML, no data in it (so it needs no token); status.js fills
// it from /status.json, which does need the metrics token when one is configured.

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>managerd status</title>
<link rel="stylesheet" href="status.css">
<script src="status.js" defer></script>
</head>
<body>
<header>
  <h1>managerd</h1>
  <span id="address" class="muted">…</span>
  <span id="readiness" class="badge">…</span>
  <span class="muted">up <span id="uptime">…</span></span>
</header>
<p id="problem" class="problem" hidden></p>
<form id="token-form" class="token" hidden>
  <label for="token">Metrics token</label>
  <input id="token" name="token" type="password" autocomplete="off" placeholder="--metrics-token of the daemon">
  <button type="submit">Use</button>
  <span class="muted">kept in this tab only (sessionStorage), sent as a bearer header</span>
</form>
<section class="cards">
  <div class="card"><div class="label">sessions</div><div class="value" id="sessions-count">–</div><div class="muted" id="sessions-detail"></div></div>
  <div class="card"><div class="label">objects</div><div class="value" id="objects-count">–</div><div class="muted" id="names-count"></div></div>
  <div class="card"><div class="label">calls/s</div><div class="value" id="calls-rate">–</div><div class="muted" id="calls-total"></div></div>
  <div class="card"><div class="label">parked calls</div><div class="value" id="parked-count">–</div></div>
</section>
<section class="columns">
  <div>
    <h2>Objects by typeid</h2>
    <table id="types"><thead><tr><th>typeid</th><th class="num">objects</th></tr></thead><tbody></tbody></table>
  </div>
  <div>
    <h2>Sessions <span class="muted" id="sessions-shown"></span></h2>
    <table id="sessions"><thead><tr><th>session</th><th>client</th><th>remote</th><th>state</th><th class="num">refs</th><th class="num">holds</th><th class="num">parked</th></tr></thead><tbody></tbody></table>
  </div>
</section>
<h2>Recent session events</h2>
<table id="events"><thead><tr><th>time</th><th>event</th><th>session</th><th>client</th><th>remote</th><th>reason</th></tr></thead><tbody></tbody></table>
<footer class="muted">Refreshed every <span id="refresh-ms"></span> ms from <code>/status.json</code>. Metrics for Prometheus: <code>/metrics</code>.</footer>
</body>
</html>
`
