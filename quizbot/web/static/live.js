// The live game page: follows its event stream and shows each state as it comes, with the seconds
// left ticking down. EventSource reconnects by itself (sending Last-Event-ID, so only what changed
// comes again); the page says so while it does. Without this script the page reloads itself.
(function () {
  "use strict";
  var live = document.getElementById("live");
  var status = document.getElementById("live-status");
  if (!live || !status || !window.EventSource) {
    return;
  }
  var stages = ["waiting", "question", "reveal", "paused", "over"];
  var closesAt = null; // performance.now() when the open question closes
  var shownStage = live.querySelector("[data-stage]");
  var lastStage = shownStage ? shownStage.getAttribute("data-stage") : "";

  function countFrom(remaining) {
    closesAt = typeof remaining === "number" ? performance.now() + remaining : null;
    tick();
  }

  function tick() {
    var countdown = document.getElementById("countdown");
    if (!countdown || closesAt === null) {
      return;
    }
    var left = String(Math.max(0, Math.ceil((closesAt - performance.now()) / 1000)));
    if (countdown.textContent !== left) {
      countdown.textContent = left;
    }
  }

  function show(event) {
    var state = JSON.parse(event.data);
    live.innerHTML = state.html;
    countFrom(state.remaining);
    if (state.stage !== lastStage) {
      var heading = document.getElementById("state-heading");
      status.textContent = heading ? heading.textContent.trim() : "";
      lastStage = state.stage;
    } else if (status.textContent === live.getAttribute("data-reconnecting")) {
      status.textContent = "";
    }
  }

  var first = document.getElementById("countdown");
  if (first && first.hasAttribute("data-remaining")) {
    countFrom(Number(first.getAttribute("data-remaining")));
  }
  window.setInterval(tick, 250);

  var since = live.getAttribute("data-since") || "";
  var source = new EventSource(live.getAttribute("data-events") + "?since=" + encodeURIComponent(since));
  stages.forEach(function (stage) {
    source.addEventListener(stage, show);
  });
  source.addEventListener("open", function () {
    if (status.textContent === live.getAttribute("data-reconnecting")) {
      status.textContent = "";
    }
  });
  source.addEventListener("error", function () {
    if (source.readyState !== EventSource.CLOSED) {
      status.textContent = live.getAttribute("data-reconnecting");
    }
  });
})();
