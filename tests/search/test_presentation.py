"""The filter panels' checkboxes (search.presentation.facet_entries_html):
every value escaped, the ticked ones checked, the tree's depth kept, a
count only where there is one."""

from search.presentation import facet_entries_html

HOSTILE = {"slug": 'a"b', "name": "<script>x</script>", "count": 1200, "checked": True}
NESTED = {"slug": "jableh", "name": "Jableh", "count": 0, "checked": False, "depth": 2}


def test_values_are_escaped_and_ticked_ones_checked():
    html = facet_entries_html("place", [HOSTILE, NESTED])
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert 'value="a&quot;b" checked>' in html
    assert '<label class="depth-2"><input type="checkbox" name="place"' in html
    # A value without results (kept because it is ticked) has no count.
    assert html.count('class="count"') == 1
    assert '<span class="count">1,200</span>' in html
