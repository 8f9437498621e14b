// An enrolment or invitation link carries its code after "#": browsers
// never send that part to the server, so it is in no access log. Here it
// moves into the form's field marked data-code-from-hash (sent in the POST
// body only) and off the address bar, so that it is not left in the
// browser's history either.
document.addEventListener("DOMContentLoaded", function () {
  var field = document.querySelector("[data-code-from-hash]");
  var code = window.location.hash.replace(/^#/, "");
  if (field && code) {
    field.value = decodeURIComponent(code);
  }
  if (window.location.hash) {
    history.replaceState(null, "", window.location.pathname);
  }
});
