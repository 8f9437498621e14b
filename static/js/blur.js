// The blur page (templates/testimonies/attachment_blur.html): drag across
// the photo to add an area. The areas live in the form's number fields
// (percent of the photo), which are also the way to work without script;
// the canvas only draws them and fills them in.
(function () {
  "use strict";

  const canvas = document.getElementById("blur-canvas");
  const source = document.getElementById("blur-source");
  const rows = document.getElementById("blur-rows");
  const template = document.getElementById("blur-row-template");
  const total = document.querySelector('input[name$="-TOTAL_FORMS"]');
  if (!canvas || !source || !rows || !template || !total) {
    return;
  }
  const context = canvas.getContext("2d");
  const image = new Image();
  const KEYS = ["x", "y", "w", "h"];
  let start = null;
  let current = null;

  function input(row, key) {
    return row.querySelector('input[name$="-' + key + '"]');
  }

  function deleted(row) {
    const box = input(row, "DELETE");
    return Boolean(box && box.checked);
  }

  function areaOf(row) {
    const values = KEYS.map(function (key) {
      const field = input(row, key);
      return field && field.value !== "" ? Number(field.value) : NaN;
    });
    if (values.some(Number.isNaN) || deleted(row)) {
      return null;
    }
    return { x: values[0], y: values[1], w: values[2], h: values[3] };
  }

  function draw() {
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const areas = Array.from(rows.querySelectorAll(".blur-row")).map(areaOf);
    if (current) {
      areas.push(current);
    }
    context.lineWidth = Math.max(2, canvas.width / 400);
    areas.forEach(function (area) {
      if (!area) {
        return;
      }
      const box = [
        (area.x / 100) * canvas.width,
        (area.y / 100) * canvas.height,
        (area.w / 100) * canvas.width,
        (area.h / 100) * canvas.height,
      ];
      context.fillStyle = "rgba(20, 20, 20, 0.55)";
      context.fillRect(box[0], box[1], box[2], box[3]);
      context.strokeStyle = "#ffd400";
      context.strokeRect(box[0], box[1], box[2], box[3]);
    });
  }

  function percentAt(event) {
    const rect = canvas.getBoundingClientRect();
    const clamp = function (value) {
      return Math.min(100, Math.max(0, value));
    };
    return {
      x: clamp(((event.clientX - rect.left) / rect.width) * 100),
      y: clamp(((event.clientY - rect.top) / rect.height) * 100),
    };
  }

  function emptyRow() {
    return Array.from(rows.querySelectorAll(".blur-row")).find(function (row) {
      return !deleted(row) && KEYS.every(function (key) {
        return input(row, key).value === "";
      });
    });
  }

  function newRow() {
    const index = Number(total.value);
    const holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    const row = holder.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    return row;
  }

  function addArea(area) {
    const row = emptyRow() || newRow();
    KEYS.forEach(function (key) {
      input(row, key).value = area[key].toFixed(2);
    });
  }

  canvas.addEventListener("pointerdown", function (event) {
    start = percentAt(event);
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!start) {
      return;
    }
    const at = percentAt(event);
    current = {
      x: Math.min(start.x, at.x),
      y: Math.min(start.y, at.y),
      w: Math.abs(at.x - start.x),
      h: Math.abs(at.y - start.y),
    };
    draw();
  });
  canvas.addEventListener("pointerup", function () {
    if (current && current.w >= 0.5 && current.h >= 0.5) {
      addArea(current);
    }
    start = null;
    current = null;
    draw();
  });
  rows.addEventListener("input", draw);
  rows.addEventListener("change", draw);

  image.addEventListener("load", function () {
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    canvas.hidden = false;
    source.hidden = true;
    draw();
  });
  image.src = canvas.dataset.imageUrl;
})();
