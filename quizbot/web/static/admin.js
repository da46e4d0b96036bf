// The admin status page's live refresh: the server pushes the status fragment as an SSE "status"
// event; EventSource reconnects by itself. Without JavaScript the page still shows the status.
"use strict";
(function () {
  const target = document.getElementById("status");
  if (!target || !window.EventSource) {
    return;
  }
  const source = new EventSource(target.dataset.stream);
  let shown = null;
  source.addEventListener("status", function (event) {
    // The same figures again leave the page alone: a screen reader is not read the whole live
    // region anew every few seconds, and what someone selected stays selected.
    if (event.data === shown) {
      return;
    }
    shown = event.data;
    target.innerHTML = event.data;
  });
})();
