// Jiceng web shell: navigation drawer on phones, dismissable messages and menus.
(function () {
  "use strict";

  function setNav(open) {
    document.body.classList.toggle("nav-open", open);
    document.querySelectorAll("[data-nav-toggle]").forEach(function (el) {
      if (el.classList.contains("nav-scrim")) el.hidden = !open;
      else el.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (toggle) {
      setNav(!document.body.classList.contains("nav-open"));
      return;
    }
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      var box = dismiss.closest(".message");
      if (box) box.remove();
      return;
    }
    // Close open dropdown menus when clicking elsewhere.
    document.querySelectorAll("details[data-dismissable][open]").forEach(function (details) {
      if (!details.contains(event.target)) details.removeAttribute("open");
    });
  });

  // A filter that applies itself: <select data-autosubmit> submits its form when changed (no inline
  // handlers: the Content Security Policy runs none).
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    setNav(false);
    document.querySelectorAll("details[data-dismissable][open]").forEach(function (details) {
      details.removeAttribute("open");
    });
  });
})();
