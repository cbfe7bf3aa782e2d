// @ts-check
/**
 * Payroll and billing exports: a period, a kind, a file format, and a
 * link to the file the server makes (GET /api/exports/...). The file is
 * made from the server's data, so it needs a connection: offline, the
 * screen says so instead of failing without a word.
 *
 * The link is a plain one; a tap fetches it first, so that a refusal (a
 * period the server does not take) is said in words on this screen, and
 * the file is handed to the browser only when it came.
 */

import { html } from "../html.js";
import { t, formatDay } from "../i18n.js";
import { icon } from "../icons.js";
import { addDays, today } from "../dates.js";
import { go } from "../ui.js";
import { backLink } from "../views/parts.js";

const KINDS = ["payroll", "billing"];
const FORMATS = ["csv", "xlsx"];
const PERIODS = ["this_month", "last_month", "custom"];

/** What the person chose; kept while the app is open.
 * @type {{kind: string, period: string, from: string, to: string,
 *   format: string, problem: string, busy: boolean}} */
const choice = {
  kind: "payroll", period: "last_month", from: "", to: "", format: "csv",
  problem: "", busy: false,
};

/** First and last day of the month of `day`. @param {string} day */
function monthOf(day) {
  const first = `${day.slice(0, 8)}01`;
  const next = addDays(first, 32);
  return { from: first, to: addDays(`${next.slice(0, 8)}01`, -1) };
}

/** The period the choice means: {from, to} as YYYY-MM-DD. */
function chosenPeriod() {
  const now = today();
  if (choice.period === "this_month") return monthOf(now);
  if (choice.period === "last_month") {
    return monthOf(addDays(`${now.slice(0, 8)}01`, -1));
  }
  return { from: choice.from, to: choice.to };
}

/** Why the chosen period cannot be asked for, before asking ("" if fine). */
function periodProblem() {
  const { from, to } = chosenPeriod();
  if (!from || !to) return t("exports.problem.dates_missing");
  if (to < from) return t("exports.problem.end_before_start");
  return "";
}

/** @param {string} from @param {string} to */
function fileUrl(from, to) {
  const query = new URLSearchParams({ from, to, format: choice.format });
  return `/api/exports/${choice.kind}?${query}`;
}

/** The server's refusal in this screen's words.
 * @param {any} body the error shape {code, message, details} */
function refusalText(body) {
  const details = body?.details ?? {};
  const reason = String(details.reason ?? "");
  if (body?.code === "forbidden") return t("exports.problem.forbidden");
  if (body?.code === "invalid_input") {
    if (/at most/.test(reason)) return t("exports.problem.too_long");
    if (/before/.test(reason)) return t("exports.problem.end_before_start");
    if (details.field === "from" || details.field === "to") {
      return t("exports.problem.bad_date");
    }
  }
  return body?.message || t("exports.problem.server");
}

/** "payroll_2026-11-01_2026-11-30.csv" from the answer's header.
 * @param {Response} response @param {string} fallback */
function fileName(response, fallback) {
  const said = response.headers.get("Content-Disposition") || "";
  return /filename="([^"]+)"/.exec(said)?.[1] || fallback;
}

/** @param {string} name @param {string} value @param {string} current
 * @param {string} label */
function option(name, value, current, label) {
  return html`<label class="option"><input type="radio" name="${name}"
    value="${value}" data-change="choose" ${value === current ? "checked" : ""}>
    <span>${label}</span></label>`;
}

export function exportsScreen() {
  const offline = !navigator.onLine;
  const { from, to } = chosenPeriod();
  const problem = periodProblem();
  const ready = !problem && !offline;
  const range = from && to && to >= from
    ? t("exports.range", { from: formatDay(from, { day: "numeric",
      month: "short", year: "numeric" }), to: formatDay(to, { day: "numeric",
      month: "short", year: "numeric" }) }) : "";

  const content = html`
    ${backLink("#/me", t("me.title"))}
    <p>${t("exports.intro")}</p>
    ${offline ? html`<p class="notice warn" id="exports-offline">${
      icon("offline")}${t("exports.offline")}</p>` : ""}
    <form class="desk-form" data-submit="download">
      <fieldset class="options">
        <legend>${t("exports.kind")}</legend>
        ${KINDS.map((k) => option("kind", k, choice.kind,
          t(`exports.kind.${k}`)))}
      </fieldset>
      <p class="hint">${t(`exports.kind_hint.${choice.kind}`)}</p>
      <fieldset class="options">
        <legend>${t("exports.period")}</legend>
        ${PERIODS.map((p) => option("period", p, choice.period,
          t(`exports.period.${p}`)))}
      </fieldset>
      ${choice.period === "custom" ? html`<div class="two dates">
        <div><label for="export-from">${t("exports.from")}</label>
          <input id="export-from" name="from" type="date"
            value="${choice.from}" data-change="choose"></div>
        <div><label for="export-to">${t("exports.to")}</label>
          <input id="export-to" name="to" type="date"
            value="${choice.to}" data-change="choose"></div>
      </div>` : ""}
      <fieldset class="options">
        <legend>${t("exports.format")}</legend>
        ${FORMATS.map((f) => option("format", f, choice.format,
          t(`exports.format.${f}`)))}
      </fieldset>
      ${range ? html`<p class="strong" id="export-summary">${icon("calendar")}${
        t(`exports.kind.${choice.kind}`)} · ${range}</p>` : ""}
      <div role="alert" id="export-problem">${choice.problem || problem
        ? html`<p class="notice warn">${icon("warn")}${
          choice.problem || problem}</p>` : ""}</div>
      <div class="actionbar">
        <a class="button big primary" id="export-download" href="${
          problem ? "#/exports" : fileUrl(from, to)}" download
          data-action="download" aria-disabled="${ready ? "false" : "true"}">${
          icon("forward")}${choice.busy ? t("exports.busy")
          : t("exports.download")}</a>
      </div>
    </form>`;

  const redraw = () => go("#/exports");

  /** Fetch the file; hand it to the browser, or say why not. */
  const download = async () => {
    if (choice.busy) return;
    const said = periodProblem();
    if (said) {
      choice.problem = said;
      return redraw();
    }
    if (!navigator.onLine) {
      choice.problem = t("exports.offline");
      return redraw();
    }
    const period = chosenPeriod();
    const url = fileUrl(period.from, period.to);
    choice.busy = true;
    choice.problem = "";
    redraw();
    try {
      const response = await fetch(url, { credentials: "same-origin",
        cache: "no-store" });
      if (!response.ok) {
        const body = await response.json().catch(() => null);
        choice.problem = refusalText(body);
        return;
      }
      const blob = await response.blob();
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = fileName(response,
        `${choice.kind}.${choice.format}`);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    } catch {
      choice.problem = t("exports.offline");
    } finally {
      choice.busy = false;
      redraw();
    }
  };

  return {
    title: t("exports.title"), nav: "me", content,
    actions: { download },
    submits: { download },
    changes: {
      /** @param {HTMLInputElement} el */
      choose: (el) => {
        const name = /** @type {"kind" | "period" | "from" | "to" |
          "format"} */ (el.name);
        choice[name] = el.value;
        if (name === "period" && el.value === "custom" && !choice.from) {
          Object.assign(choice, monthOf(today()));
        }
        choice.problem = "";
        redraw();
      },
    },
  };
}
