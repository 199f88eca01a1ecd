// The Conflict Atlas map: deck.gl inside a Streamlit component (protocol v1, in an iframe).
//
// Python sends the layers as pydeck JSON (converted by @deck.gl/json), the view to show
// (moved to only when its revision changes, so filter changes and playback keep the user's
// view), a legend, a title and the attribution. The component reports back, as its value:
//   {kind: "view", lat, lon, zoom, pitch, bearing, bounds: [w, s, e, n], width, height, seq}
//     once a pan or zoom has settled;
//   {kind: "click", layer, event_id, lon, lat, hex, name, seq} for a click on an object.
// Tooltips and the legend are built from text nodes only (article text is never HTML here).

import {Deck, MapView, WebMercatorViewport} from '@deck.gl/core';
import {JSONConverter, JSONConfiguration} from '@deck.gl/json';
import {
  ScatterplotLayer, TextLayer, PolygonLayer, GeoJsonLayer, BitmapLayer,
} from '@deck.gl/layers';
import {HeatmapLayer, HexagonLayer} from '@deck.gl/aggregation-layers';
import {H3HexagonLayer, TileLayer} from '@deck.gl/geo-layers';

const converter = new JSONConverter({
  configuration: new JSONConfiguration({
    classes: {
      ScatterplotLayer, TextLayer, PolygonLayer, GeoJsonLayer, HeatmapLayer, HexagonLayer,
      H3HexagonLayer,
    },
  }),
});

// --- Streamlit component protocol (v1) ----------------------------------------------------

function send(type, data) {
  window.parent.postMessage({isStreamlitMessage: true, type, ...data}, '*');
}
const setValue = (value) => send('streamlit:setComponentValue', {value, dataType: 'json'});
const setHeight = (height) => send('streamlit:setFrameHeight', {height});

// --- DOM ----------------------------------------------------------------------------------

const root = document.getElementById('root');
const mapDiv = document.createElement('div');
mapDiv.className = 'ca-map';
mapDiv.setAttribute('data-testid', 'ca-map');
root.appendChild(mapDiv);
const tooltip = el('div', 'ca-tooltip');
tooltip.setAttribute('role', 'tooltip');
mapDiv.appendChild(tooltip);
const legendBox = el('div', 'ca-legend');
legendBox.setAttribute('data-testid', 'ca-legend');
mapDiv.appendChild(legendBox);
const notice = el('div', 'ca-notice');
notice.setAttribute('role', 'status');
mapDiv.appendChild(notice);
const attribution = el('div', 'ca-attribution');
mapDiv.appendChild(attribution);
const tools = el('div', 'ca-tools');
mapDiv.appendChild(tools);
const pngButton = el('button', 'ca-button', 'PNG');
pngButton.title = 'Download the map as it is shown (layer, view, legend, title, dates)';
pngButton.setAttribute('aria-label', 'Download the map as PNG');
tools.appendChild(pngButton);

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

// --- state --------------------------------------------------------------------------------

let deck = null;
let args = {};
let viewState = null;
let appliedRev = null;
let seq = Date.now();
let reportTimer = null;
let interacted = false;
let busy = false;
let lastViewSeq = 0;
let lastLayersJson = null;
let lastBaseJson = null;
let lastLabelsJson = null;
let dataLayers = [];
let baseLayers = [];
let labelLayers = [];
let tileErrors = 0;
let cartoLayer = null;

function size() {
  return {width: mapDiv.clientWidth || 800, height: mapDiv.clientHeight || 500};
}

function viewFromArgs(view) {
  const {width, height} = size();
  if (view.fit) {
    const [w, s, e, n] = view.fit;
    const vp = new WebMercatorViewport({width, height});
    const padding = Math.max(8, Math.min(40, Math.floor(Math.min(width, height) / 10)));
    let fitted;
    try {
      fitted = vp.fitBounds([[w, s], [e, n]], {padding, maxZoom: view.max_zoom || 12});
    } catch (err) {
      fitted = {latitude: (s + n) / 2, longitude: (w + e) / 2, zoom: 2};
    }
    return {latitude: fitted.latitude, longitude: fitted.longitude,
            zoom: Math.max(0, fitted.zoom), pitch: 0, bearing: 0};
  }
  return {latitude: view.lat, longitude: view.lon, zoom: view.zoom,
          pitch: view.pitch || 0, bearing: view.bearing || 0};
}

function bounds(vs) {
  const {width, height} = size();
  const vp = new WebMercatorViewport({...vs, width, height});
  const b = vp.getBounds();
  return b.map((x) => Math.round(x * 1e5) / 1e5);
}

function round(x, d) {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

function report(kind, extra) {
  seq += 1;
  if (kind === 'view') lastViewSeq = seq;
  setValue({kind, seq, ...extra});
}

// The server's view differs from the one shown although the server has seen this map's
// last view report (a map mounted again, or a view the page set): show the server's.
// A render that left before the last report arrived carries an older view: not applied.
function serverMoved(view) {
  if (view.fit || !viewState || busy || (view.seq || 0) < lastViewSeq) return false;
  return Math.abs(view.lat - viewState.latitude) > 1e-4 ||
    Math.abs(view.lon - viewState.longitude) > 1e-4 ||
    Math.abs(view.zoom - viewState.zoom) > 0.01;
}

function reportView(auto = false) {
  if (!viewState) return;
  const {width, height} = size();
  report('view', {
    auto,
    lat: round(viewState.latitude, 5), lon: round(viewState.longitude, 5),
    zoom: round(viewState.zoom, 2), pitch: round(viewState.pitch || 0, 1),
    bearing: round(viewState.bearing || 0, 1), bounds: bounds(viewState), width, height,
  });
}

function isBusy(s) {
  return !!(s && (s.isDragging || s.isPanning || s.isZooming || s.isRotating || s.inTransition));
}

function scheduleReport() {
  clearTimeout(reportTimer);
  reportTimer = setTimeout(() => reportView(false), 300);
}

// --- tooltip, legend, notices -------------------------------------------------------------

function props(object) {
  return (object && object.properties) ? object.properties : object;
}

function tooltipLines(info) {
  const o = info.object;
  if (!o) return null;
  if (info.layer && info.layer.id === 'events-hex') {
    const n = Math.round(o.colorValue || 0);
    return {title: `${n.toLocaleString('en')} events`, lines: ['in this hexagon']};
  }
  const p = props(o);
  if (!p || (p.tt_title === undefined && !p.tt_lines)) return null;
  return {title: String(p.tt_title || ''), lines: (p.tt_lines || []).map(String)};
}

function showTooltip(info) {
  const content = info && info.picked ? tooltipLines(info) : null;
  if (!content) {
    tooltip.style.display = 'none';
    return;
  }
  tooltip.replaceChildren();
  tooltip.appendChild(el('b', null, content.title));
  for (const line of content.lines) tooltip.appendChild(el('div', null, line));
  tooltip.style.display = 'block';
  // keep the box inside the map: flip to the left / above the cursor near an edge
  const {width, height} = size();
  const w = tooltip.offsetWidth;
  const h = tooltip.offsetHeight;
  let x = info.x + 14;
  let y = info.y + 14;
  if (x + w > width - 4) x = Math.max(4, info.x - w - 14);
  if (y + h > height - 4) y = Math.max(4, info.y - h - 14);
  tooltip.style.left = `${x}px`;
  tooltip.style.top = `${y}px`;
}

function renderLegend(legend) {
  legendBox.replaceChildren();
  if (!legend) {
    legendBox.style.display = 'none';
    return;
  }
  legendBox.style.display = 'block';
  legendBox.setAttribute('data-layer', legend.layer || '');
  legendBox.appendChild(el('div', 'ca-legend-title', legend.title || ''));
  if (legend.items) {
    for (const item of legend.items) {
      const row = el('div', 'ca-legend-row');
      const sw = el('span', item.shape === 'ring' ? 'ca-ring' : 'ca-swatch');
      sw.style.setProperty('--c', item.color);
      row.appendChild(sw);
      row.appendChild(el('span', null, item.label));
      legendBox.appendChild(row);
    }
  }
  if (legend.ramp) {
    const bar = el('div', 'ca-ramp');
    bar.style.background = `linear-gradient(to right, ${legend.ramp.colors.join(', ')})`;
    legendBox.appendChild(bar);
    const labels = el('div', 'ca-ramp-labels');
    labels.appendChild(el('span', null, legend.ramp.low));
    labels.appendChild(el('span', null, legend.ramp.high));
    legendBox.appendChild(labels);
  }
  if (legend.note) legendBox.appendChild(el('div', 'ca-legend-note', legend.note));
}

function showNotice(text) {
  notice.textContent = text || '';
  notice.style.display = text ? 'block' : 'none';
}

// --- layers -------------------------------------------------------------------------------

function convertLayers(jsonText) {
  if (!jsonText) return [];
  const parsed = JSON.parse(jsonText);
  const out = converter.convert({layers: parsed});
  return out.layers || [];
}

function makeCarto(theme) {
  const style = theme === 'dark' ? 'dark_all' : 'light_all';
  tileErrors = 0;
  return new TileLayer({
    id: `carto-${style}`,
    data: `https://a.basemaps.cartocdn.com/${style}/{z}/{x}/{y}.png`,
    minZoom: 0, maxZoom: 19, tileSize: 256,
    onTileError: () => {
      tileErrors += 1;
      if (tileErrors === 1) {
        showNotice('The Carto basemap could not be loaded (no network?): the offline ' +
                   'outlines are shown instead.');
      }
    },
    renderSubLayers: (p) => {
      const {boundingBox} = p.tile;
      return new BitmapLayer(p, {
        data: null, image: p.data,
        bounds: [boundingBox[0][0], boundingBox[0][1], boundingBox[1][0], boundingBox[1][1]],
      });
    },
  });
}

function allLayers() {
  // labels over the data: a choropleth or heatmap does not hide the names
  return [...baseLayers, ...(cartoLayer ? [cartoLayer] : []), ...dataLayers, ...labelLayers];
}

// --- PNG ----------------------------------------------------------------------------------

function exportPng() {
  const canvas = mapDiv.querySelector('canvas');
  if (!canvas || !deck) return;
  deck.redraw('png');
  const scale = canvas.width / Math.max(canvas.clientWidth, 1);
  const out = document.createElement('canvas');
  const head = Math.round(64 * scale);
  out.width = canvas.width;
  out.height = canvas.height + head;
  const ctx = out.getContext('2d');
  const dark = args.theme === 'dark';
  ctx.fillStyle = dark ? '#0e1117' : '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = args.ocean || '#d6e4f0';
  ctx.fillRect(0, head, canvas.width, canvas.height);
  ctx.drawImage(canvas, 0, head);
  ctx.fillStyle = dark ? '#fafafa' : '#1e1e1e';
  ctx.font = `bold ${Math.round(22 * scale)}px Helvetica, Arial, sans-serif`;
  ctx.textBaseline = 'top';
  ctx.fillText(args.title || 'Conflict Atlas', 12 * scale, 8 * scale);
  ctx.font = `${Math.round(14 * scale)}px Helvetica, Arial, sans-serif`;
  ctx.fillText(args.subtitle || '', 12 * scale, 38 * scale);
  drawLegend(ctx, scale, head);
  const attr = args.attribution || '';
  ctx.font = `${Math.round(11 * scale)}px Helvetica, Arial, sans-serif`;
  const tw = ctx.measureText(attr).width;
  ctx.fillStyle = dark ? 'rgba(14,17,23,0.8)' : 'rgba(255,255,255,0.85)';
  ctx.fillRect(out.width - tw - 16 * scale, out.height - 18 * scale, tw + 16 * scale, 18 * scale);
  ctx.fillStyle = dark ? '#ddd' : '#333';
  ctx.fillText(attr, out.width - tw - 8 * scale, out.height - 15 * scale);
  const link = document.createElement('a');
  link.download = args.png_name || 'conflict-atlas-map.png';
  link.href = out.toDataURL('image/png');
  link.click();
}

function drawLegend(ctx, scale, top) {
  const legend = args.legend;
  if (!legend) return;
  const box = legendBox.getBoundingClientRect();
  const map = mapDiv.getBoundingClientRect();
  const x0 = (box.left - map.left) * scale;
  let y = (box.top - map.top) * scale + top;
  const dark = args.theme === 'dark';
  ctx.fillStyle = dark ? 'rgba(14,17,23,0.88)' : 'rgba(255,255,255,0.92)';
  ctx.fillRect(x0, y, box.width * scale, box.height * scale);
  ctx.fillStyle = dark ? '#fafafa' : '#1e1e1e';
  ctx.textBaseline = 'top';
  const pad = 8 * scale;
  ctx.font = `bold ${Math.round(12 * scale)}px Helvetica, Arial, sans-serif`;
  ctx.fillText(legend.title || '', x0 + pad, y + pad);
  y += pad + 18 * scale;
  ctx.font = `${Math.round(12 * scale)}px Helvetica, Arial, sans-serif`;
  for (const item of legend.items || []) {
    ctx.fillStyle = item.color;
    ctx.beginPath();
    ctx.arc(x0 + pad + 6 * scale, y + 7 * scale, 6 * scale, 0, 2 * Math.PI);
    if (item.shape === 'ring') {
      ctx.strokeStyle = item.color;
      ctx.lineWidth = 2 * scale;
      ctx.stroke();
    } else {
      ctx.fill();
    }
    ctx.fillStyle = dark ? '#fafafa' : '#1e1e1e';
    ctx.fillText(item.label, x0 + pad + 18 * scale, y);
    y += 19 * scale;
  }
  if (legend.ramp) {
    const w = 160 * scale;
    const grad = ctx.createLinearGradient(x0 + pad, 0, x0 + pad + w, 0);
    legend.ramp.colors.forEach((c, i) => grad.addColorStop(i / (legend.ramp.colors.length - 1), c));
    ctx.fillStyle = grad;
    ctx.fillRect(x0 + pad, y + 2 * scale, w, 10 * scale);
    ctx.fillStyle = dark ? '#fafafa' : '#1e1e1e';
    ctx.fillText(legend.ramp.low, x0 + pad, y + 16 * scale);
    const hw = ctx.measureText(legend.ramp.high).width;
    ctx.fillText(legend.ramp.high, x0 + pad + w - hw, y + 16 * scale);
  }
}

pngButton.addEventListener('click', exportPng);

// --- render -------------------------------------------------------------------------------

function ensureDeck() {
  if (deck) return;
  deck = new Deck({
    parent: mapDiv,
    views: [new MapView({repeat: true})],
    controller: true,
    viewState,
    layers: allLayers(),
    onViewStateChange: ({viewState: vs, interactionState}) => {
      viewState = vs;
      deck.setProps({viewState});
      tooltip.style.display = 'none';
      if (interactionState && isBusy(interactionState)) interacted = true;
      if (interacted && !busy) scheduleReport();
      return vs;
    },
    // report once the pan, zoom or its transition has ended, not half-way
    onInteractionStateChange: (state) => {
      busy = isBusy(state);
      if (busy) {
        interacted = true;
        clearTimeout(reportTimer);
      } else if (interacted) {
        scheduleReport();
      }
    },
    onHover: showTooltip,
    onClick: (info) => {
      if (!info.object) return;
      const p = props(info.object) || {};
      const [lon, lat] = info.coordinate || [null, null];
      report('click', {
        layer: info.layer ? info.layer.id : '', event_id: p.event_id || null,
        lon: p.lon !== undefined ? p.lon : lon, lat: p.lat !== undefined ? p.lat : lat,
        hex: p.hex || null, name: p.name || null,
      });
    },
    getCursor: ({isDragging, isHovering}) => (isDragging ? 'grabbing' : (isHovering ? 'pointer' : 'grab')),
  });
  window.__caDeck = deck;  // for the browser tests
}

function render(newArgs) {
  performance.mark('ca-render');
  args = newArgs;
  const height = args.height || 560;
  mapDiv.style.height = `${height}px`;
  document.body.dataset.theme = args.theme || 'light';
  if (args.ocean) mapDiv.style.background = args.ocean;
  setHeight(height);
  if (args.view && (args.view.rev !== appliedRev || serverMoved(args.view))) {
    viewState = viewFromArgs(args.view);
    appliedRev = args.view.rev;
    interacted = false;
    // a view the server asked for (a fit, a link): tell it the bounds it has at this size
    setTimeout(() => reportView(true), 50);
  }
  if (args.base !== lastBaseJson) {
    baseLayers = convertLayers(args.base);
    lastBaseJson = args.base;
  }
  if (args.labels !== lastLabelsJson) {
    labelLayers = convertLayers(args.labels);
    lastLabelsJson = args.labels;
  }
  if (args.layers !== lastLayersJson) {
    dataLayers = convertLayers(args.layers);
    lastLayersJson = args.layers;
  }
  const wantCarto = args.basemap === 'carto';
  if (wantCarto && (!cartoLayer || !cartoLayer.id.includes(args.theme === 'dark' ? 'dark' : 'light'))) {
    cartoLayer = makeCarto(args.theme);
  } else if (!wantCarto && cartoLayer) {
    cartoLayer = null;
    showNotice('');
  }
  renderLegend(args.legend);
  attribution.textContent = args.attribution || '';
  pngButton.style.display = args.png === false ? 'none' : '';
  performance.mark('ca-converted');
  ensureDeck();
  deck.setProps({viewState, layers: allLayers()});
  if (args.notice) showNotice(args.notice);
  else if (!tileErrors) showNotice('');
}

window.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || data.type !== 'streamlit:render') return;
  render(data.args || {});
});

window.addEventListener('resize', () => {
  if (deck) deck.setProps({viewState});
});

performance.mark('ca-ready');
send('streamlit:componentReady', {apiVersion: 1});
