// Turns each `.quiz` block written in a page's Markdown into a radio-group quiz.
//
// A quiz is, in this order: the question (paragraphs), the options (a numbered list, the right
// one marked `{ .quiz-answer }`), and a collapsed answer (`??? success`) whose numbered list
// explains each option in the same order. Without JavaScript the block reads as written.
(function () {
  "use strict";

  let count = 0;

  function explain(quiz, message) {
    console.error("quiz: " + message, quiz);
  }

  function setup(quiz) {
    const options = quiz.querySelector(":scope > ol");
    const details = quiz.querySelector(":scope > details");
    const reasons = details && details.querySelector(":scope > ol");
    const question = [...quiz.children].filter((el) => el.tagName === "P");
    if (!options || !reasons || question.length === 0) {
      return explain(quiz, "needs a question, a numbered list of options and an answer list");
    }
    const items = [...options.children];
    const whys = [...reasons.children];
    if (items.length !== whys.length) {
      return explain(quiz, `${items.length} options but ${whys.length} explanations`);
    }
    if (items.filter((li) => li.classList.contains("quiz-answer")).length !== 1) {
      return explain(quiz, "exactly one option must be marked { .quiz-answer }");
    }

    count += 1;
    const fieldset = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.className = "quiz__question";
    question.forEach((p) => legend.append(...p.childNodes));
    fieldset.append(legend);

    const feedback = document.createElement("div");
    feedback.className = "quiz__feedback";
    feedback.setAttribute("aria-live", "polite");

    const labels = items.map((li, index) => {
      const label = document.createElement("label");
      label.className = "quiz__option";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = `quiz-${count}`;
      input.value = String(index);
      const text = document.createElement("span");
      text.append(...li.childNodes);
      label.append(input, text);
      fieldset.append(label);
      return label;
    });

    fieldset.addEventListener("change", (event) => {
      const index = Number(event.target.value);
      const right = items[index].classList.contains("quiz-answer");
      labels.forEach((label, i) => {
        label.classList.toggle("quiz__option--right", i === index && right);
        label.classList.toggle("quiz__option--wrong", i === index && !right);
      });
      const verdict = document.createElement("strong");
      verdict.className = "quiz__verdict";
      verdict.textContent = right ? "Right. " : "Not quite. ";
      const why = document.createElement("div");
      why.innerHTML = whys[index].innerHTML;
      feedback.className = `quiz__feedback quiz__feedback--${right ? "right" : "wrong"}`;
      feedback.replaceChildren(verdict, ...why.childNodes);
    });

    question.forEach((p) => p.remove());
    options.replaceWith(fieldset);
    fieldset.after(feedback);
    quiz.classList.add("quiz--ready");
  }

  function setupAll() {
    document.querySelectorAll(".quiz:not(.quiz--ready)").forEach(setup);
  }

  // Material's document$ also fires after instant navigation, if that is ever turned on.
  if (typeof document$ !== "undefined") {
    document$.subscribe(setupAll);
  } else {
    document.addEventListener("DOMContentLoaded", setupAll);
  }
})();
