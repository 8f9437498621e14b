// The place picker: a WAI-ARIA 1.2 combobox over the gazetteer search
// (testimonies:place-search). Chosen places become chips, each a hidden
// input and a remove button. Without JavaScript the same field is a text
// box resolved on the server, and chosen places are checkboxes.
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : values[key];
    });
  }

  function Picker(root) {
    this.root = root;
    this.form = root.closest("form");
    this.input = root.querySelector("input[name=place_query]");
    this.listbox = root.querySelector("[role=listbox]");
    this.popup = this.listbox.parentElement;
    this.chips = root.querySelector(".place-chips");
    this.status = root.querySelector("#place-picker-status");
    this.url = root.getAttribute("data-search-url");
    this.options = [];
    this.active = -1;
    this.timer = null;
    this.request = 0;
    this.setUp();
  }

  Picker.prototype.label = function (name, values) {
    return format(this.root.getAttribute("data-" + name + "-label") || "", values);
  };

  Picker.prototype.announce = function (text) {
    this.status.textContent = text;
  };

  Picker.prototype.setUp = function () {
    var self = this;
    var input = this.input;
    // Chosen places travel as hidden inputs: the typed text is not posted
    // (the autosave would try to resolve half a name).
    input.removeAttribute("name");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.listbox.id);
    this.root.querySelectorAll(".no-js-only").forEach(function (el) { el.hidden = true; });
    this.chips.querySelectorAll("li.chip").forEach(function (chip) {
      var box = chip.querySelector("input[type=checkbox]");
      var name = chip.querySelector("bdi").textContent;
      if (box && box.checked) {
        chip.replaceWith(self.chip(box.value, name));
      } else {
        chip.remove();
      }
    });
    input.addEventListener("input", function () { self.typed(); });
    input.addEventListener("keydown", function (event) { self.key(event); });
    input.addEventListener("blur", function () {
      window.setTimeout(function () { self.close(); }, 150);
    });
    this.listbox.addEventListener("mousedown", function (event) {
      event.preventDefault();  // keep the focus in the input
    });
    this.listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) self.choose(Number(option.getAttribute("data-index")));
    });
  };

  Picker.prototype.chip = function (slug, name) {
    var self = this;
    var item = document.createElement("li");
    item.className = "chip";
    var text = document.createElement("bdi");
    text.textContent = name;
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "places";
    hidden.value = slug;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.setAttribute("aria-label", this.label("remove", { place: name }));
    remove.textContent = "×";
    remove.addEventListener("click", function () {
      item.remove();
      self.announce(self.label("removed", { place: name }));
      self.input.focus();
      self.changed();
    });
    item.append(text, " ", hidden, remove);
    return item;
  };

  Picker.prototype.changed = function () {
    var empty = this.chips.querySelector(".no-places");
    if (empty) empty.remove();
    this.form.dispatchEvent(new Event("change"));
  };

  Picker.prototype.typed = function () {
    var self = this;
    window.clearTimeout(this.timer);
    var text = this.input.value.trim();
    if (!text) { this.close(); return; }
    this.timer = window.setTimeout(function () { self.search(text); }, DEBOUNCE_MS);
  };

  Picker.prototype.search = function (text) {
    var self = this;
    var number = ++this.request;
    fetch(this.url + "?q=" + encodeURIComponent(text), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : { results: [] };
    }).then(function (body) {
      if (number === self.request) self.show(body.results || []);
    }).catch(function () { /* the text stays; typing again retries */ });
  };

  Picker.prototype.show = function (results) {
    var self = this;
    this.options = results;
    this.active = -1;
    this.listbox.textContent = "";
    this.input.removeAttribute("aria-activedescendant");
    results.forEach(function (result, index) {
      var option = document.createElement("li");
      option.id = "place-option-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.setAttribute("data-index", String(index));
      var name = document.createElement("bdi");
      name.className = "option-name";
      name.textContent = result.name;
      var trail = document.createElement("span");
      trail.className = "option-trail";
      // The trail is a list of names: each isolated, so that Arabic and
      // Latin names do not reorder one another.
      result.trail.forEach(function (part, i) {
        if (i) trail.append(" · ");
        var piece = document.createElement("bdi");
        piece.textContent = part;
        trail.append(piece);
      });
      option.append(name, " ", trail);
      self.listbox.append(option);
    });
    if (results.length) {
      this.popup.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
      this.announce(this.label("count", { count: results.length }));
    } else {
      this.close();
      this.announce(this.label("none", {}));
    }
  };

  Picker.prototype.close = function () {
    this.popup.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Picker.prototype.isOpen = function () {
    return this.input.getAttribute("aria-expanded") === "true";
  };

  Picker.prototype.move = function (step) {
    if (!this.options.length) return;
    if (!this.isOpen()) {
      this.popup.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
    }
    var count = this.options.length;
    this.active = (this.active + step + count) % count;
    var self = this;
    this.listbox.querySelectorAll("[role=option]").forEach(function (option, index) {
      option.setAttribute("aria-selected", index === self.active ? "true" : "false");
    });
    var current = document.getElementById("place-option-" + this.active);
    this.input.setAttribute("aria-activedescendant", current.id);
    current.scrollIntoView({ block: "nearest" });
  };

  Picker.prototype.key = function (event) {
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        this.move(1);
        break;
      case "ArrowUp":
        event.preventDefault();
        this.move(-1);
        break;
      case "Enter":
        // Enter in the picker chooses; it never submits the step.
        event.preventDefault();
        if (this.isOpen() && this.active >= 0) this.choose(this.active);
        else if (this.isOpen() && this.options.length === 1) this.choose(0);
        break;
      case "Escape":
        if (this.isOpen()) {
          event.preventDefault();
          this.close();
        } else if (this.input.value) {
          event.preventDefault();
          this.input.value = "";
        }
        break;
      case "Tab":
        this.close();
        break;
    }
  };

  Picker.prototype.choose = function (index) {
    var place = this.options[index];
    if (!place) return;
    var taken = this.chips.querySelector("input[name=places][value='" + CSS.escape(place.slug) + "']");
    if (!taken) {
      this.chips.append(this.chip(place.slug, place.name));
      this.changed();
    }
    this.announce(this.label("added", { place: place.name }));
    this.input.value = "";
    this.close();
    this.input.focus();
  };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".place-picker").forEach(function (root) {
      if (window.fetch && root.querySelector("input[name=place_query]")) new Picker(root);
    });
  });
})();
