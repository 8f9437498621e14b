// Ticking a facet applies it at once; without JavaScript the
// "Apply filters" button does the same. The page reloads, so the box that
// was ticked gets the focus back: someone using the keyboard carries on
// from where they were instead of from the top of the page.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("search-form");
  if (!form) return;
  var KEY = "archive.facetFocus";
  var boxes = form.querySelectorAll(".facet input[type=checkbox]");
  var wanted = null;
  try {
    wanted = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
  } catch (e) { /* storage refused: focus simply starts at the top */ }
  boxes.forEach(function (box) {
    if (wanted && wanted === box.name + "=" + box.value) box.focus();
    box.addEventListener("change", function () {
      try { sessionStorage.setItem(KEY, box.name + "=" + box.value); } catch (e) {}
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
