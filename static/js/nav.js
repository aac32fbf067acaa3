/*
 * The groups of the main menu (templates/includes/nav.html) as disclosures: the WAI-ARIA
 * disclosure navigation pattern, not role="menu", so Tab moves through the links as on any page.
 * The page draws each group as <details><summary>, which opens and closes without this script;
 * here each becomes a <button aria-expanded aria-controls> followed by its list, and the menu
 * gets what <details> lacks: Escape closes the open group and returns focus to its button,
 * opening one group closes the others, a click outside the menu closes them all, and so does
 * focus moving out of the open group.
 */
(function () {
  "use strict";

  var toggles = [];

  function listOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function setOpen(button, open) {
    var list = listOf(button);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    list.hidden = !open;
    list.classList.remove("site-nav__sublist--end");
    // A list that would run past the right edge of the window opens leftwards instead.
    if (open && list.getBoundingClientRect().right > document.documentElement.clientWidth) {
      list.classList.add("site-nav__sublist--end");
    }
  }

  function closeAll(except) {
    toggles.forEach(function (button) {
      if (button !== except && button.getAttribute("aria-expanded") === "true") {
        setOpen(button, false);
      }
    });
  }

  function enhance(group) {
    var details = group.querySelector("details");
    var summary = details && details.querySelector("summary");
    var list = details && details.querySelector("ul[id]");
    if (!summary || !list) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = summary.className;
    button.textContent = summary.textContent.trim();
    if (summary.hasAttribute("aria-current")) {
      button.setAttribute("aria-current", summary.getAttribute("aria-current"));
    }
    button.setAttribute("aria-controls", list.id);
    group.insertBefore(button, details);
    group.insertBefore(list, details);
    group.removeChild(details);
    setOpen(button, false);
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      closeAll(button);
      setOpen(button, open);
    });
    toggles.push(button);
  }

  function init() {
    var nav = document.querySelector(".site-nav");
    if (!nav) return;
    Array.prototype.forEach.call(nav.querySelectorAll("[data-nav-group]"), enhance);
    if (!toggles.length) return;

    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" && event.key !== "Esc") return;
      toggles.forEach(function (button) {
        if (button.getAttribute("aria-expanded") !== "true") return;
        var inside = button.parentNode.contains(document.activeElement);
        setOpen(button, false);
        if (inside) button.focus();
        event.preventDefault();
      });
    });
    document.addEventListener("click", function (event) {
      if (!nav.contains(event.target)) closeAll(null);
    });
    // Focus leaving a group (Tab past its last link, or to another group) closes it, so an open
    // list never covers what the keyboard user reads next.
    document.addEventListener("focusin", function (event) {
      toggles.forEach(function (button) {
        if (
          button.getAttribute("aria-expanded") === "true" &&
          !button.parentNode.contains(event.target)
        ) {
          setOpen(button, false);
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
