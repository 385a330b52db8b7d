// Muster console: the live link. Every page works without this script; with it, the page follows
// the exercise. Each event from the server (Server-Sent Events; the browser resumes from the last
// event id by itself after a lost link) is added to the feed and the page's live regions are
// fetched again, except a region the person is typing in. A lost link shows a loud banner.
(function () {
  "use strict";
  var body = document.body;

  // Each text with a limit shows how much of it is used, and says so loudly near the end.
  function counters(root) {
    root.querySelectorAll("textarea[maxlength], input[type=text][maxlength]").forEach(function (field) {
      if (field.dataset.counted) return;
      field.dataset.counted = "1";
      var count = document.createElement("span");
      count.className = "count";
      field.insertAdjacentElement("afterend", count);
      function update() {
        var limit = +field.getAttribute("maxlength"), used = field.value.length;
        count.textContent = used + " / " + limit + " " + (body.dataset.characters || "characters");
        count.classList.toggle("near", used > limit * 0.9);
      }
      field.addEventListener("input", update);
      update();
    });
  }
  counters(document);

  var url = body.dataset.events;
  if (!url || !window.EventSource) return;
  var banner = document.getElementById("link-lost");
  var busy = false, again = false;

  document.addEventListener("input", function (e) {
    var form = e.target && e.target.form;
    if (form) form.dataset.dirty = "1";
  });

  function editing(region) {
    if (region.querySelector("form[data-dirty]")) return true;
    var active = document.activeElement;
    return active && active !== body && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
  }

  // Each rendering names its forms anew; a region that differs only in those names is unchanged.
  function same(old, fresh) {
    // The counters are this script's, not the page's.
    old = old.cloneNode(true);
    old.querySelectorAll(".count").forEach(function (c) { c.remove(); });
    old.querySelectorAll("[data-counted]").forEach(function (f) { delete f.dataset.counted; });
    var was = old.querySelectorAll("input[name=nonce]"), now = fresh.querySelectorAll("input[name=nonce]");
    if (was.length !== now.length) return false;
    for (var i = 0; i < was.length; i++) now[i].setAttribute("value", was[i].getAttribute("value"));
    return old.isEqualNode(fresh);
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.pathname + location.search, { credentials: "same-origin", headers: { "X-Muster-Refresh": "1" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (!text) return;
        var fresh = new DOMParser().parseFromString(text, "text/html");
        fresh.querySelectorAll("[data-live]").forEach(function (region) {
          var old = document.getElementById(region.id);
          if (old && !editing(old) && !same(old, region)) { old.replaceWith(region); counters(region); }
        });
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  var feed = document.getElementById("feed");
  var source = new EventSource(url + "?after=" + encodeURIComponent(body.dataset.last || "0"));
  source.addEventListener("record", function (e) {
    if (feed) {
      var item = document.createElement("li");
      item.textContent = e.data;
      feed.insertBefore(item, feed.firstChild);
    }
    refresh();
  });
  // Between events the exercise clock still runs: look again now and then while it does.
  setInterval(function () {
    if (!document.hidden && document.querySelector("#clock[data-running]")) refresh();
  }, 10000);
  // Who is at their post changes without an event: the readiness view is looked at more often.
  setInterval(function () {
    if (!document.hidden && document.querySelector("[data-watch]")) refresh();
  }, 4000);
  source.onopen = function () { banner.hidden = true; };
  source.onerror = function () { banner.hidden = false; };
})();
