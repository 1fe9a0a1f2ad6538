// The import form with a progress bar: the file is sent by XMLHttpRequest so the bar can show how much
// of it has been uploaded; after that the bar runs without a value while the server checks and saves
// the rows (it cannot report that part), and the result replaces the result area of this page.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.FormData || !window.DOMParser) return;
  var box = document.getElementById("import-progress");
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var button = form.querySelector("button[type=submit]");

  form.addEventListener("submit", function (event) {
    var file = document.getElementById("file");
    if (!file.files.length) return; // let the server say a file is needed
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
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
      bar.removeAttribute("value"); // indeterminate: the server is checking and saving
      status.textContent = "Uploaded. Checking and saving the rows…";
    });
    request.addEventListener("load", function () {
      var page = new DOMParser().parseFromString(request.responseText, "text/html");
      var result = page.getElementById("import-result");
      var here = document.getElementById("import-result");
      button.disabled = false;
      box.hidden = true;
      if (result) {
        here.replaceWith(document.adoptNode(result));
        form.reset();
        var first = document.querySelector("#import-result [role=status], #import-result h2");
        if (first) { first.setAttribute("tabindex", "-1"); first.focus(); }
      } else {
        box.hidden = false;
        var main = page.querySelector("main");
        status.textContent = "The upload was refused (" + request.status + "): " + (main ? main.textContent.trim() : "");
      }
    });
    request.addEventListener("error", function () {
      button.disabled = false;
      status.textContent = "The upload failed (no connection?). Nothing was imported. Try again.";
    });
    request.send(new FormData(form));
  });
})();
