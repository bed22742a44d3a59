// Live progress on the event page: polls the event's progress every second while it can still change.
(function () {
  'use strict';
  var root = document.getElementById('event');
  if (!root || !root.hasAttribute('data-live')) return;
  var url = root.getAttribute('data-progress-url');
  var bar = document.getElementById('progress');
  var text = document.getElementById('progress-text');
  var status = document.getElementById('event-status');
  // The statuses after which nothing changes without support acting: from the page (src/domain/event-status.ts).
  var finished = (root.getAttribute('data-finished') || '').split(' ');

  function show(p) {
    // An event still being applied has no counts, breakdown or previews yet: load the page again once it has them.
    if (root.getAttribute('data-status') === 'received' && p.status !== 'received') {
      window.location.reload();
      return;
    }
    if (bar) bar.value = p.percent;
    if (text) text.textContent = p.percent + '% (' + p.done + ' of ' + p.total + ')';
    if (status) {
      status.textContent = p.status.replace(/_/g, ' ');
      status.className = 'status status-' + p.status;
    }
    (p.classes || []).forEach(function (c) {
      var row = document.querySelector('tr[data-class="' + c.class + '"]');
      if (!row) return;
      row.querySelector('progress').value = c.percent;
      row.querySelector('[data-class-text]').textContent = c.done + ' of ' + c.total;
    });
    Object.keys(p.counts).forEach(function (state) {
      var cell = document.querySelector('[data-count="' + state + '"]');
      if (cell) cell.textContent = String(p.counts[state]);
    });
    document.querySelectorAll('form[data-states]').forEach(function (form) {
      var applies = form.getAttribute('data-states').split(' ').indexOf(p.status) >= 0;
      form.hidden = !applies || (form.hasAttribute('data-needs-failed') && !p.counts.failed);
    });
    root.setAttribute('data-status', p.status);
  }

  function poll() {
    fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (p) {
        if (p) show(p);
        if (!p || finished.indexOf(p.status) < 0) setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
