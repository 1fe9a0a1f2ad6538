// Small behaviours for the admin pages, attached by data- attributes (no inline script: the CSP forbids it).
(function () {
  "use strict";
  var csrf = function () {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  };

  // <select data-autosubmit>: submit its form on change (the button stays for keyboards without scripts).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // <form data-confirm="Really?">: ask before submitting.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // <button data-copy="element-id">: copy that element's text.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = document.getElementById(button.getAttribute("data-copy")).textContent;
      var done = function (label) {
        var before = button.textContent;
        button.textContent = label;
        setTimeout(function () { button.textContent = before; }, 2000);
      };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(text).then(function () { done("Copied"); }, function () { done("Select and copy"); });
      } else {
        done("Select and copy");
      }
    });
  });

  // <input type=checkbox data-select-all="name">: tick or untick every checkbox with that name.
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[type=checkbox][name='" + all.getAttribute("data-select-all") + "']")
        .forEach(function (box) { box.checked = all.checked; });
    });
  });

  // <div data-progress-url="…json"> holding <progress> and [data-progress-text]: poll until done.
  // The JSON answers {"done": n, "total": n, "finished": bool, "text": "…"}.
  document.querySelectorAll("[data-progress-url]").forEach(function (box) {
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");
    var poll = function () {
      fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (answer) { return answer.ok ? answer.json() : Promise.reject(answer.status); })
        .then(function (state) {
          if (bar) { bar.max = Math.max(state.total, 1); bar.value = state.done; }
          if (text) text.textContent = state.text;
          if (!state.finished) setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 5000); });
    };
    poll();
  });

  window.backorderAdmin = { csrf: csrf };
})();
