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
  function apply(box) {
    try { sessionStorage.setItem(KEY, box.name + "=" + box.value); } catch (e) {}
    var page = form.querySelector("input[name=page]");
    if (page) page.remove();
    form.submit();
  }
  var tickedEarly = null;
  boxes.forEach(function (box) {
    if (wanted && wanted === box.name + "=" + box.value) box.focus();
    if (box.checked !== box.defaultChecked) tickedEarly = box;
    box.addEventListener("change", function () { apply(box); });
  });
  // Choosing an order applies it at once; the "Sort" button does without JS.
  var sort = document.getElementById("id_sort");
  var sortedEarly = false;
  if (sort) {
    // With no option marked selected in the page, the first one is shown.
    var shown = 0;
    for (var i = 0; i < sort.options.length; i++) {
      if (sort.options[i].defaultSelected) { shown = i; break; }
    }
    sortedEarly = sort.selectedIndex !== shown;
    sort.addEventListener("change", function () {
      form.submit();
    });
  }
  // On a slow line the page can be read, and its boxes ticked, before this
  // script arrives; such a change fired no event here. Apply it now, or the
  // results would contradict what the boxes show.
  if (tickedEarly) apply(tickedEarly);
  else if (sortedEarly) form.submit();
});
