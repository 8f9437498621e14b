// An enrolment link carries its code after "#": browsers never send that
// part to the server, so it is in no access log. Here it moves into the
// form's field (sent in the POST body only) and off the address bar, so
// that it is not left in the browser's history either.
document.addEventListener("DOMContentLoaded", function () {
  var field = document.getElementById("id_enrolment_code");
  var code = window.location.hash.replace(/^#/, "");
  if (field && code) {
    field.value = decodeURIComponent(code);
  }
  if (window.location.hash) {
    history.replaceState(null, "", window.location.pathname);
  }
});
