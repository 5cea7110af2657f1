// GET /status.js — polls /status.json and renders it. Plain browser JavaScript, no build step.
// Every value is written with textContent (client names are untrusted text, never HTML). The
// metrics token, when the daemon has one, is pasted by the operator, kept in sessionStorage
// (this tab only) and sent as "Authorization: Bearer …".

export const PAGE_SCRIPT = `'use strict'
;(() => {
  const KEY = 'managerd.metricsToken'
  const params = new URLSearchParams(location.search)
  const refreshMs = Math.max(100, Number(params.get('refresh')) || 2000)
  const $ = (id) => document.getElementById(id)
  let previous = null

  const text = (id, value) => { $(id).textContent = String(value) }
  const duration = (ms) => {
    const s = Math.floor(ms / 1000)
    if (s < 60) return s + ' s'
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s'
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min'
  }
  const rows = (table, items, cells) => {
    const body = $(table).tBodies[0]
    const fresh = document.createElement('tbody')
    for (const item of items) {
      const tr = document.createElement('tr')
      for (const [value, cls] of cells(item, tr)) {
        const td = document.createElement('td')
        td.textContent = value === null || value === undefined ? '' : String(value)
        if (cls) td.className = cls
        tr.appendChild(td)
      }
      fresh.appendChild(tr)
    }
    body.replaceWith(fresh)
  }
  const problem = (message) => {
    const p = $('problem')
    p.hidden = message === null
    p.textContent = message || ''
  }

  function render(s) {
    text('address', s.address)
    const badge = $('readiness')
    badge.textContent = s.readiness
    badge.className = 'badge ' + s.readiness
    text('uptime', duration(s.uptimeMs))
    text('sessions-count', s.sessions.total)
    text('sessions-detail', s.sessions.connected + ' connected, ' + s.sessions.detached + ' detached')
    text('objects-count', s.objects.total)
    text('names-count', s.objects.names + ' published names')
    text('parked-count', s.calls.parked)
    text('calls-total', s.calls.total + ' since start')
    if (previous !== null && s.bootId === previous.bootId && s.uptimeMs > previous.uptimeMs) {
      const rate = ((s.calls.total - previous.calls.total) * 1000) / (s.uptimeMs - previous.uptimeMs)
      text('calls-rate', rate >= 100 ? Math.round(rate) : rate.toFixed(1))
    }
    previous = s
    const types = Object.entries(s.objects.byType).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    rows('types', types, ([typeid, n], tr) => {
      tr.dataset.typeid = typeid
      return [[typeid], [n, 'num count']]
    })
    text('sessions-shown', s.sessions.list.length < s.sessions.total ? '(first ' + s.sessions.list.length + ')' : '')
    rows('sessions', s.sessions.list, (x, tr) => {
      tr.dataset.session = x.id
      return [[x.id], [x.name], [x.remoteAddress], [x.state], [x.references, 'num'], [x.holds, 'num'], [x.parkedCalls, 'num']]
    })
    rows('events', s.events, (e) => [[new Date(e.at).toLocaleTimeString()], [e.event], [e.session], [e.client], [e.remoteAddress], [e.reason]])
  }

  async function poll() {
    const token = sessionStorage.getItem(KEY)
    const headers = token ? { authorization: 'Bearer ' + token } : {}
    try {
      const res = await fetch('status.json', { headers, cache: 'no-store' })
      if (res.status === 401) {
        $('token-form').hidden = false
        problem(token ? 'The daemon refused this token.' : 'This daemon needs its metrics token to show its status.')
        return
      }
      if (!res.ok) throw new Error('status.json answered ' + res.status)
      problem(null)
      render(await res.json())
    } catch (err) {
      problem('Cannot reach the daemon: ' + err.message)
      const badge = $('readiness')
      badge.textContent = 'down'
      badge.className = 'badge down'
    }
  }

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const value = $('token').value.trim()
    if (value) sessionStorage.setItem(KEY, value)
    else sessionStorage.removeItem(KEY)
    $('token').value = ''
    void poll()
  })
  text('refresh-ms', refreshMs)
  void poll()
  setInterval(poll, refreshMs)
})()
`
