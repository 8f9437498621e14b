// Recording steps: the error summary takes the focus, and the fields of a
// step are saved to the server a few seconds after typing stops.
// Nothing typed is ever kept in the browser (no localStorage or
// sessionStorage): the draft lives on the server only.
(function () {
  "use strict";

  var QUIET_MS = 3000;   // typing pause before saving
  var RETRY_MS = 10000;  // after a failure, while something is unsaved

  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  function Autosave(form, status) {
    this.form = form;
    this.status = status;
    this.timer = null;
    this.dirty = false;   // changed since the last successful save
    this.busy = false;
    var self = this;
    form.addEventListener("input", function () { self.changed(); });
    form.addEventListener("change", function () { self.changed(); });
    form.addEventListener("submit", function () {
      // A plain post saves everything: nothing left to warn about.
      self.dirty = false;
      window.clearTimeout(self.timer);
    });
    window.addEventListener("online", function () { if (self.dirty) self.save(); });
    window.addEventListener("beforeunload", function (event) {
      if (self.dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  Autosave.prototype.say = function (key, time) {
    var text = this.status.getAttribute("data-" + key) || "";
    this.status.textContent = text.replace("%(time)s", time || "");
    this.status.className = "autosave-status " + key;
  };

  Autosave.prototype.changed = function () {
    var self = this;
    this.dirty = true;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.save(); }, QUIET_MS);
  };

  Autosave.prototype.later = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.save(); }, RETRY_MS);
  };

  Autosave.prototype.save = function () {
    if (this.busy) { this.later(); return; }
    var self = this;
    var data = new FormData(this.form);
    var token = this.form.querySelector("input[name=csrfmiddlewaretoken]");
    this.busy = true;
    this.dirty = false;  // typing during the save marks it dirty again
    this.say("saving");
    fetch(this.form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      redirect: "manual",  // an ended session answers with the login page
      headers: {
        "X-Recording-Autosave": "1",
        "X-CSRFToken": token ? token.value : "",
        "Accept": "application/json"
      }
    }).then(function (response) {
      self.busy = false;
      if (response.type === "opaqueredirect" || response.status === 403) {
        self.dirty = true;
        self.say("session");
        return null;
      }
      return response.json().then(function (body) {
        if (response.ok && body.saved) {
          if (!self.dirty) self.say("saved", body.at);
        } else {
          self.dirty = true;
          self.say("invalid");
        }
      });
    }).catch(function () {
      self.busy = false;
      self.dirty = true;
      self.say("offline");
      self.later();
    });
  };

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    var form = document.querySelector("form[data-autosave]");
    var status = document.getElementById("autosave-status");
    if (form && status && window.fetch && window.FormData) new Autosave(form, status);
  });
})();
