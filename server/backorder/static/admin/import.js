// The import form with a progress bar: the file is sent by XMLHttpRequest so the bar can show how much
// of it has been uploaded. The server keeps the file and a worker imports it; the answer is that
// import's page. While it waits or runs, the bar runs without a value and its page is asked again
// every second; its result area then replaces the result area of this page. An import's own page,
// opened while it runs, asks again the same way.
(function () {
  "use strict";
  var POLL_MS = 1000;
  var SLOW_POLL_MS = 10000; // after two minutes (no worker running?), ask less often
  var asked = 0;
  var form = document.getElementById("import-form");
  if (!form || !window.FormData || !window.DOMParser) return;
  var box = document.getElementById("import-progress");
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var button = form.querySelector("button[type=submit]");

  function pending() {
    var waiting = document.querySelector("#import-result [data-pending]");
    return waiting && waiting.getAttribute("data-pending");
  }

  function refused(request, page) {
    var main = page.querySelector("main");
    box.hidden = false;
    status.textContent = "The upload was refused (" + request.status + "): " + (main ? main.textContent.trim() : "");
  }

  // Put the result area of an answer in place of ours; while it still runs, ask its page again soon.
  function show(request) {
    var page = new DOMParser().parseFromString(request.responseText, "text/html");
    var result = page.getElementById("import-result");
    if (!result) return refused(request, page);
    document.getElementById("import-result").replaceWith(document.adoptNode(result));
    var recent = page.getElementById("recent-imports");
    var here = document.getElementById("recent-imports");
    if (recent && here) here.replaceWith(document.adoptNode(recent));
    var next = pending();
    if (next) {
      box.hidden = false;
      bar.removeAttribute("value");
      status.textContent = "Uploaded. Checking and saving the rows…";
      asked += 1;
      window.setTimeout(function () { ask(next); }, asked > 120 ? SLOW_POLL_MS : POLL_MS);
      return;
    }
    button.disabled = false;
    box.hidden = true;
    var first = document.querySelector("#import-result [role=status], #import-result h2");
    if (first) { first.setAttribute("tabindex", "-1"); first.focus(); }
  }

  function ask(url) {
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.addEventListener("load", function () { show(request); });
    request.addEventListener("error", function () {  // a blip: the import goes on; ask again
      window.setTimeout(function () { ask(url); }, POLL_MS * 3);
    });
    request.send();
  }

  form.addEventListener("submit", function (event) {
    var file = document.getElementById("file");
    if (!file.files.length) return; // let the server say a file is needed
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action); // the Import page, also from an import's own page
    request.setRequestHeader("X-CSRF-Token", window.backorderAdmin.csrf());
    box.hidden = false;
    button.disabled = true;
    bar.value = 0;
    status.textContent = "Uploading…";
    request.upload.addEventListener("progress", function (progress) {
      if (!progress.lengthComputable) return;
      bar.value = Math.round(progress.loaded * 100 / progress.total);
      status.textContent = "Uploading: " + bar.value + "%";
    });
    request.upload.addEventListener("load", function () {
      bar.removeAttribute("value"); // indeterminate: the server is keeping the file
      status.textContent = "Uploaded. Checking and saving the rows…";
    });
    request.addEventListener("load", function () {
      if (request.responseURL && request.responseURL !== window.location.href && window.history.replaceState) {
        window.history.replaceState(null, "", request.responseURL); // a reload shows this import
      }
      if (request.status === 200) form.reset(); // kept and queued (or its errors shown): pick the next file
      button.disabled = false;
      box.hidden = true;
      asked = 0;
      show(request);
    });
    request.addEventListener("error", function () {
      button.disabled = false;
      status.textContent = "The upload failed (no connection?). Nothing was imported. Try again.";
    });
    request.send(new FormData(form));
  });

  if (pending()) {  // this import's own page, opened while it waits or runs
    box.hidden = false;
    bar.removeAttribute("value");
    status.textContent = "Checking and saving the rows…";
    window.setTimeout(function () { ask(pending()); }, POLL_MS);
  }
})();
