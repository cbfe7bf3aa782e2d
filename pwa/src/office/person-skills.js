// @ts-check
/**
 * The skills part of the calendars screen: each working person's skills
 * as chips, a tap removes one (after asking), free words add one; the
 * person's whole list is sent each time (PUT /api/planning/skills/...).
 */

import { html } from "../html.js";
import { t } from "../i18n.js";
import { icon } from "../icons.js";
import { api } from "../api.js";
import { toast } from "../ui.js";
import {
  described, fieldError, loadPeople, offline, people, problemBox, redraw,
  refusal, skillName,
} from "./calendar-parts.js";

/** @typedef {import("./calendar-parts.js").Person} Person */

const skills = {
  /** Whose skills the add field is open for. */ open: "",
  draft: "", error: "", saving: false, problem: "",
};

/** The key of a known skill typed in the screen's language ("chauffage"
 * is "heating"), else the words as typed. @param {string} typed */
function skillKey(typed) {
  const words = typed.trim();
  const known = (people.list ?? []).flatMap((p) => p.skills);
  return known.find((s) => skillName(s).toLowerCase() === words.toLowerCase())
    ?? words;
}

/** @param {Person} p */
function personSkills(p) {
  const open = skills.open === p.user_id;
  return html`<li class="card person-skills" id="skills-${p.user_id}">
    <span class="card-title icon-line">${icon("user")}<span>${
      p.name}</span></span>
    ${p.skills.length ? html`<ul class="skill-chips">${p.skills.map((s) =>
      html`<li><button type="button" class="chip skill-chip"
        data-action="remove-skill" data-person="${p.user_id}"
        data-skill="${s}" aria-label="${t("calendars.skill.remove",
        { skill: skillName(s), name: p.name })}"><span>${
        skillName(s)}</span>${icon("cross")}</button></li>`)}</ul>`
      : html`<p class="muted">${t("calendars.skill.none")}</p>`}
    ${open ? html`<form class="skill-add" data-submit="add-skill">
      <label for="skill-new">${t("calendars.skill.new",
        { name: p.name })}</label>
      <div class="skill-add-row">
        <input id="skill-new" name="skill" type="text" maxlength="60"
          list="skills-known" autocomplete="off" value="${skills.draft}"
          data-input="skill" data-drawn-value
          ${described("skill-new", skills.error)}>
        <button type="submit" class="button primary" ${skills.saving
          ? "disabled" : ""}>${t("calendars.skill.add_short")}</button>
      </div>
      ${fieldError("skill-new", skills.error)}
    </form>` : html`<button type="button" class="button secondary"
      data-action="open-skill" data-person="${p.user_id}">${icon("plus")}${
      t("calendars.skill.add")}</button>`}
  </li>`;
}

function drawSkills() {
  loadPeople();
  const list = people.list;
  const known = [...new Set((list ?? []).flatMap((p) => p.skills))];
  return html`
    <p>${t("calendars.skills_intro")}</p>
    ${problemBox(skills.problem || people.problem)}
    ${people.busy && !list ? html`<p class="muted">${
      t("calendars.loading")}</p>` : ""}
    <datalist id="skills-known">${known.map((s) => html`<option value="${
      skillName(s)}">`)}</datalist>
    ${list ? html`<ul class="cards">${list.map(personSkills)}</ul>` : ""}`;
}

/** Send a person's whole list of skills. @param {string} personId
 * @param {string[]} wanted @returns {Promise<boolean>} */
async function sendSkills(personId, wanted) {
  const person = people.list?.find((p) => p.user_id === personId);
  if (!person) return false;
  if (offline()) {
    skills.problem = t("calendars.offline");
    redraw();
    return false;
  }
  skills.saving = true;
  skills.problem = "";
  skills.error = "";
  redraw();
  try {
    const answer = await api(`/api/planning/skills/${personId}`,
      { skills: wanted }, "PUT");
    person.skills = answer.skills;
    return true;
  } catch (exc) {
    const { field, text } = refusal(exc, { skills: "skill" });
    if (field) skills.error = text;
    else skills.problem = text;
    return false;
  } finally {
    skills.saving = false;
    redraw();
  }
}

async function addSkill() {
  const person = people.list?.find((p) => p.user_id === skills.open);
  if (!person) return;
  const skill = skillKey(skills.draft);
  if (!skill) {
    skills.error = t("calendars.refused.empty");
    return redraw();
  }
  if (await sendSkills(person.user_id, [...person.skills, skill])) {
    toast(t("calendars.skill.added", { skill: skillName(skill),
      name: person.name }));
    skills.draft = "";
    redraw();
  }
}

/** @param {HTMLElement} el */
async function removeSkill(el) {
  const person = people.list?.find((p) => p.user_id === el.dataset.person);
  const skill = el.dataset.skill ?? "";
  if (!person) return;
  if (!confirm(t("calendars.skill.remove_confirm", {
    skill: skillName(skill), name: person.name }))) return;
  if (await sendSkills(person.user_id,
    person.skills.filter((s) => s !== skill))) {
    toast(t("calendars.skill.removed", { skill: skillName(skill),
      name: person.name }));
  }
}

/** @type {import("./calendar-parts.js").CalendarPart} */
export const skillsPart = {
  draw: drawSkills,
  submits: { "add-skill": addSkill },
  actions: {
    /** @param {HTMLElement} el */
    "open-skill": (el) => {
      skills.open = el.dataset.person ?? "";
      skills.error = "";
      redraw();
      document.getElementById("skill-new")?.focus();
    },
    "remove-skill": removeSkill,
  },
  inputs: {
    /** @param {HTMLInputElement} el */
    skill: (el) => {
      skills.draft = el.value;
    },
  },
};
