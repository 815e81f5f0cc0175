/* Live countdown to a deadline: every <time data-countdown datetime="ISO"> the server rendered
   (with its own words, to the minute: the page reads the same without this script) is
   rewritten each second — «quedan 42 min 10 s», «venció hace 3 min 05 s» — and turns overdue
   when the instant passes. Rows swapped in by htmx are found on the next tick. */
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function words(ms) {
    var late = ms < 0;
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24;
    var m = Math.floor(s / 60) % 60, sec = s % 60;
    var span;
    if (d) { span = d + " d " + h + " h"; }
    else if (h) { span = h + " h " + pad(m) + " min"; }
    else { span = m + " min " + pad(sec) + " s"; }
    return late ? "venció hace " + span : "quedan " + span;
  }
  function tick() {
    var now = Date.now();
    var els = document.querySelectorAll("time[data-countdown]");
    for (var i = 0; i < els.length; i++) {
      var due = Date.parse(els[i].getAttribute("datetime"));
      if (isNaN(due)) { continue; }
      var text = words(due - now);
      if (els[i].textContent !== text) { els[i].textContent = text; }
      if (due - now < 0) { els[i].classList.add("countdown--overdue"); }
    }
  }
  tick();
  window.setInterval(tick, 1000);
})();
