// Ticking a facet applies it at once; without JavaScript the
// "Apply filters" button does the same.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("search-form");
  if (!form) return;
  form.querySelectorAll(".facet input[type=checkbox]").forEach(function (box) {
    box.addEventListener("change", function () {
      var page = form.querySelector("input[name=page]");
      if (page) page.remove();
      form.submit();
    });
  });
  // Choosing an order applies it at once; the "Sort" button does without JS.
  var sort = document.getElementById("id_sort");
  if (sort) {
    sort.addEventListener("change", function () {
      form.submit();
    });
  }
});
