(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    Array.prototype.forEach.call(summary.querySelectorAll("a[href^='#']"), function (link) {
      link.addEventListener("click", function (event) {
        var field = document.getElementById(link.getAttribute("href").slice(1));
        if (field) {
          event.preventDefault();
          field.focus();
        }
      });
    });
  }
  var buttons = document.querySelectorAll("button[data-password-toggle]");
  var pairs = [];
  Array.prototype.forEach.call(buttons, function (button) {
    var input = document.getElementById(button.getAttribute("aria-controls"));
    var text = button.querySelector(".toggle-text");
    if (!input || !text) {
      return;
    }
    var show = function (visible) {
      input.type = visible ? "text" : "password";
      button.setAttribute("aria-pressed", visible ? "true" : "false");
      text.textContent = visible ? "Masquer" : "Afficher";
    };
    pairs.push(show);
    button.addEventListener("click", function () {
      show(input.type === "password");
    });
    button.hidden = false;
  });
  var form = document.querySelector("form");
  if (form) {
    form.addEventListener("submit", function () {
      pairs.forEach(function (show) {
        show(false);
      });
    });
  }
})();
