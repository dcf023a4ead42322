// Progressive enhancements; every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Preselect the browser's own time zone on a fresh create form, under its current name
  // when the browser reports an old one (Asia/Calcutta is listed as Asia/Kolkata).
  const zoneSelect = document.querySelector("select[data-auto-zone]");
  if (zoneSelect) {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const match = [...zoneSelect.options].find((option) =>
      option.value === zone || option.dataset.links?.split(" ").includes(zone));
    if (match) zoneSelect.value = match.value;
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

// The event's time in the viewer's own zone, when that differs from the event's.
document.addEventListener("DOMContentLoaded", () => {
  const eventTime = document.querySelector("time.event-time[data-zone]");
  const line = document.querySelector(".viewer-time");
  if (!eventTime || !line) return;
  const wall = { weekday: "long", day: "numeric", month: "long", year: "numeric",
                 hour: "2-digit", minute: "2-digit" };
  try {
    const start = new Date(eventTime.dateTime);
    const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const inZone = (date, timeZone, options) =>
      new Intl.DateTimeFormat(undefined, { ...options, timeZone }).format(date);
    if (inZone(start, eventTime.dataset.zone, wall) === inZone(start, viewerZone, wall)) return;
    let text = `Your time: ${inZone(start, viewerZone, { ...wall, timeZoneName: "short" })}`;
    if (eventTime.dataset.end) {
      const end = new Date(eventTime.dataset.end);
      const day = { year: "numeric", month: "numeric", day: "numeric" };
      const sameDay = inZone(start, viewerZone, day) === inZone(end, viewerZone, day);
      const clock = { hour: "2-digit", minute: "2-digit" };
      text += ` until ${inZone(end, viewerZone, sameDay ? clock : wall)}`;
    }
    line.textContent = text;
    line.hidden = false;
  } catch {
    // An engine without this zone: the event's own time above still stands.
  }
});

// Sharing: the system share sheet, where the browser has one (Web Share API).
document.addEventListener("DOMContentLoaded", () => {
  if (typeof navigator.share !== "function") return;
  for (const button of document.querySelectorAll("button[data-share]")) {
    const { shareTitle: title, shareText: text, shareUrl: url } = button.dataset;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.share({ title, text, url });
      } catch (error) {
        // The person closed the share sheet: nothing to say. Otherwise offer the link field.
        if (error.name === "AbortError") return;
        document.getElementById("share-link")?.focus();
      }
    });
  }
});
