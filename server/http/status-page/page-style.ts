// GET /status.css — served as a file so the page's Content-Security-Policy needs no inline styles.

export const PAGE_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1f24; background: #f6f7f9; }
header { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; }
h1 { font-size: 1.4rem; margin: 0; }
h2 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
.muted { color: #667; font-size: .9em; }
.badge { padding: .1rem .5rem; border-radius: .6rem; background: #ddd; }
.badge.ready { background: #c9f2d0; } .badge.draining, .badge.starting, .badge.down { background: #f8d7a8; }
.problem { background: #fde2e1; padding: .5rem .8rem; border-radius: .3rem; }
.token { margin: .8rem 0; display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .8rem; margin-top: 1rem; }
.card { background: #fff; border-radius: .4rem; padding: .7rem 1rem; box-shadow: 0 1px 2px #0002; }
.card .label { color: #667; text-transform: uppercase; font-size: .75rem; letter-spacing: .05em; }
.card .value { font-size: 1.8rem; font-variant-numeric: tabular-nums; }
.columns { display: grid; grid-template-columns: minmax(14rem, 1fr) 3fr; gap: 1.5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; box-shadow: 0 1px 2px #0002; }
th, td { text-align: left; padding: .25rem .6rem; border-bottom: 1px solid #eee; white-space: nowrap; }
th { background: #eef0f3; font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: .9em; }
footer { margin-top: 1.5rem; }
`
