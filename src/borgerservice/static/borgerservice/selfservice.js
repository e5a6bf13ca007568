/* Self-service applications on Min side: progressive enhancement only.
 *
 * 1. A question that depends on an answer on the same page
 *    (data-show-if-name / data-show-if-values="a|b") is hidden until that answer is
 *    given. Without this script every question is shown, with a hint saying when to
 *    answer it, and the server ignores answers to questions that do not apply.
 * 2. The "send" button sends once: a second click while the page loads does nothing
 *    (the server's idempotency key makes a second request harmless anyway).
 */
(function () {
  "use strict";

  function valuesOf(form, name) {
    var values = [];
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    Array.prototype.forEach.call(inputs, function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) values.push(input.value);
      } else if (input.value) {
        values.push(input.value);
      }
    });
    return values;
  }

  function isShown(group) {
    if (group.hidden) return false;
    return true;
  }

  function update(form) {
    var groups = form.querySelectorAll("[data-show-if-name]");
    // Twice, so a question that depends on a question that depends on another follows.
    for (var round = 0; round < 2; round++) {
      Array.prototype.forEach.call(groups, function (group) {
        var name = group.getAttribute("data-show-if-name");
        var wanted = (group.getAttribute("data-show-if-values") || "").split("|");
        var controller = form.querySelector('[name="' + name + '"]');
        var controllerGroup = controller ? controller.closest(".form-group") : null;
        var given = controllerGroup && !isShown(controllerGroup) ? [] : valuesOf(form, name);
        var show = given.some(function (value) { return wanted.indexOf(value) !== -1; });
        group.hidden = !show;
        group.style.display = show ? "" : "none";
        var hint = group.querySelector('[id$="-condition"]');
        if (hint) hint.hidden = true; // the page itself now shows when it applies
      });
    }
  }

  function init() {
    var forms = document.querySelectorAll("form[data-selfservice-form]");
    Array.prototype.forEach.call(forms, function (form) {
      if (!form.querySelector("[data-show-if-name]")) return;
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
    var buttons = document.querySelectorAll("[data-selfservice-once]");
    Array.prototype.forEach.call(buttons, function (button) {
      var form = button.form;
      if (!form) return;
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-sent")) {
          event.preventDefault();
          return;
        }
        form.setAttribute("data-sent", "1");
        button.setAttribute("aria-disabled", "true");
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
