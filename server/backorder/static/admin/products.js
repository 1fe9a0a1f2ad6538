// The product page's live preview: on each change, post the form's (unsaved) values to the server,
// which runs the same availability rules, and show the lines the widget would show.
(function () {
  "use strict";
  var form = document.getElementById("product-form");
  var preview = document.getElementById("preview");
  if (!form || !preview || !window.fetch) return;
  var timer = null;
  var sent = 0;
  var show = function (lines, state) {
    preview.replaceChildren.apply(preview, lines.map(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      return p;
    }));
    preview.setAttribute("data-state", state || "");
  };
  var update = function () {
    var mine = ++sent;
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": window.backorderAdmin.csrf() }
    })
      .then(function (answer) { return answer.json(); })
      .then(function (found) {
        if (mine !== sent) return; // a later change is on its way
        if (found.state) show(found.lines, found.state);
        else show(["Correct the marked settings to see the preview: " + Object.keys(found.errors).join(", ")], "");
      })
      .catch(function () { if (mine === sent) show(["The preview is unavailable just now."], ""); });
  };
  var later = function () {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
