// Times written as the server's pages write them: in the page's language, on the hour cycle
// the server formats times with (<html data-hour-cycle>, from its TIME_FORMAT), in the zone
// the page shows (a study's), so "14:50" on a page never reads "02:50 PM" beside it.

const root = document.documentElement;
const formats = new Map();

function formatter(options) {
  const key = JSON.stringify(options);
  if (!formats.has(key)) {
    const full = { ...options, hourCycle: root.dataset.hourCycle || "h23" };
    let format;
    try {
      format = new Intl.DateTimeFormat(root.lang || undefined, full);
    } catch {
      // A zone this browser does not know: the device's own, rather than nothing.
      delete full.timeZone;
      format = new Intl.DateTimeFormat(root.lang || undefined, full);
    }
    formats.set(key, format);
  }
  return formats.get(key);
}

// "Tue 14:50"
export function weekdayTime(iso, timeZone) {
  return formatter({ weekday: "short", hour: "2-digit", minute: "2-digit", timeZone }).format(new Date(iso));
}

// "Tue 3 Dec, 14:50"
export function dayTime(iso, timeZone) {
  return formatter({ weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone }).format(new Date(iso));
}
