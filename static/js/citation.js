// The citation's copy button. Without JavaScript the button stays hidden and
// one click on the citation selects it whole (CSS user-select: all), so it
// can still be copied by hand.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button.copy-citation").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector(".copy-status");
    if (!source) return;
    button.hidden = false;
    function done(message) {
      if (status) status.textContent = message;
    }
    function bySelection() {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      done(copied ? button.dataset.copied : button.dataset.failed);
    }
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { done(button.dataset.copied); },
          bySelection
        );
      } else {
        bySelection();
      }
    });
  });
});
