// The recording's photos step: a file chosen but not attached is said so at
// once, and leaving the step by a link (the list of steps, the menu) or by
// closing the tab asks first. Continue and Go back send the upload form,
// which attaches the file before moving on, so they never ask.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("attachment-upload");
    var warning = document.getElementById("unattached-warning");
    var input = form && form.querySelector("input[type=file]");
    if (!input || !warning) return;
    var sending = false;

    function chosen() {
      return !sending && input.files && input.files.length > 0;
    }

    input.addEventListener("change", function () {
      warning.hidden = !chosen();
    });
    form.addEventListener("submit", function () {
      sending = true;
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || !chosen()) return;
      if (window.confirm(warning.getAttribute("data-leave"))) {
        sending = true; // asked once: no second question on unload
      } else {
        event.preventDefault();
      }
    });
    window.addEventListener("beforeunload", function (event) {
      if (chosen()) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });
})();
