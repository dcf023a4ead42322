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
        if (status) status.textContent = status.dataset.copied;
      } catch {
        input.select();
        if (status) status.textContent = status.dataset.select;
      }
    });
  }

  // Select the whole link when its field gets focus, ready to copy by hand.
  for (const input of document.querySelectorAll("input[readonly]")) {
    input.addEventListener("focus", () => input.select());
  }

  // Bring what the page came to say into focus, so screen readers read it once on arrival:
  // the error summary, or else the one-off message.
  (document.querySelector(".error-summary") ?? document.querySelector(".flash"))?.focus();
});

// The event's time in the viewer's own zone, when that differs from the event's, written
// as the page writes the event's own: in English "Saturday 12 December 2026, 18:30
// (Europe/London, UTC+00:00)", in other languages the page's (its lang) full date and
// short time. The sentence around it comes translated in the line's data attributes.
document.addEventListener("DOMContentLoaded", () => {
  const times = document.querySelectorAll("time.event-time[data-zone]");
  if (!times.length) return;
  const fields = { weekday: "long", day: "numeric", month: "long", year: "numeric",
                   hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "longOffset" };
  const lang = document.documentElement.lang;
  const wallClock = (date, timeZone) => {
    const part = Object.fromEntries(new Intl.DateTimeFormat("en-GB", { ...fields, timeZone })
      .formatToParts(date).map(({ type, value }) => [type, value]));
    const own = lang === "en";
    return { day: own ? `${part.weekday} ${part.day} ${part.month} ${part.year}`
                      : new Intl.DateTimeFormat(lang, { dateStyle: "full", timeZone }).format(date),
             clock: own ? `${part.hour}:${part.minute}`
                        : new Intl.DateTimeFormat(lang, { timeStyle: "short", timeZone }).format(date),
             offset: part.timeZoneName === "GMT" ? "UTC+00:00" : part.timeZoneName.replace("GMT", "UTC") };
  };
  const fill = (sentence, values) => sentence.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
  // Each time shown (the event's, or each date of a poll) has its line beside it.
  for (const eventTime of times) {
    const line = eventTime.closest("dd, .poll-option")?.querySelector(".viewer-time");
    if (!line) continue;
    try {
      const start = new Date(eventTime.dateTime);
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      const here = wallClock(start, zone), there = wallClock(start, eventTime.dataset.zone);
      if (here.day === there.day && here.clock === there.clock) continue;
      let when = `${here.day}, ${here.clock} (${zone === "UTC" ? zone : `${zone}, ${here.offset}`})`;
      if (eventTime.dataset.end) {
        const end = wallClock(new Date(eventTime.dataset.end), zone);
        when = fill(line.dataset.until,
                    { start: when, end: end.day === here.day ? end.clock : `${end.day}, ${end.clock}` });
      }
      line.textContent = fill(line.dataset.yourTime, { when });
      line.hidden = false;
    } catch {
      // An engine without this zone: the event's own time above still stands.
    }
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
