// Progressive enhancements; every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Preselect the browser's own time zone on a fresh create form.
  const zoneSelect = document.querySelector("select[data-auto-zone]");
  if (zoneSelect) {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && [...zoneSelect.options].some((option) => option.value === zone)) {
      zoneSelect.value = zone;
    }
  }

  // Copy buttons: copy the linked input's value and say so.
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const input = document.getElementById(button.dataset.copy);
    const status = button.closest("section")?.querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(input.value);
        if (status) status.textContent = "Copied. Paste it in a message to your friends.";
      } catch {
        input.select();
        if (status) status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link.";
      }
    });
  }

  // Select the whole link when its field gets focus, ready to copy by hand.
  for (const input of document.querySelectorAll("input[readonly]")) {
    input.addEventListener("focus", () => input.select());
  }

  // Bring the error summary into view and focus so screen readers announce it.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});
