// The admin status page's live refresh: the server pushes the status fragment as an SSE "status"
// event; EventSource reconnects by itself. Without JavaScript the page still shows the status.
"use strict";
(function () {
  const target = document.getElementById("status");
  if (!target || !window.EventSource) {
    return;
  }
  const source = new EventSource(target.dataset.stream);
  source.addEventListener("status", function (event) {
    target.innerHTML = event.data;
  });
})();
