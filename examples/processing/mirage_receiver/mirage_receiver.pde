// MIRAGE receiver for Processing 4 with the oscP5 library (Sketch > Import Library > oscP5).
// Draws, per track, bars for centroid, roll-off (log frequency axis) and flatness, the
// pitches as ticks on the frequency axis, and the mood as a dot with a trail on the
// valence (x) / arousal (y) plane. Understands both OSC profiles:
//   readme       /Lfmsg_chN  8 floats: centroid bandwidth flatness rolloff pitch1..pitch4
//                /Hfmsg_ch0  arousal valence
//   mirage-code  /LFmsg_chN  instrument (string), centroid bandwidth flatness rolloff, 0-4 pitches
//                /HFmsg_ch0  arousal valence
//   both         /mirage/status  xruns drops osc_errors emotion_restarts device_losses device
// oscP5 unpacks bundles and calls oscEvent once per message, on its own thread.

import oscP5.*;
import netP5.*;

final int PORT = 12345;
final int MAX_TRACKS = 16;
final int N_FEATURES = 8;  // centroid bandwidth flatness rolloff pitch1..pitch4
final float MIN_HZ = 20, MAX_HZ = 20000;
final int TRAIL = 60;      // mood points kept: 30 s at one every 0.5 s

OscP5 osc;
final Object lock = new Object();
float[][] features = new float[MAX_TRACKS][N_FEATURES];
String[] instrument = new String[MAX_TRACKS];
int nTracks = 0;
float[] trailArousal = new float[TRAIL], trailValence = new float[TRAIL];
int nMoods = 0;
int[] statusCounts = new int[5];  // xruns drops osc_errors emotion_restarts device_losses
String device = "?";

void setup() {
  size(1000, 600);
  osc = new OscP5(this, PORT);
  for (int t = 0; t < MAX_TRACKS; t++) instrument[t] = "";
}

int trackOf(String address, String prefix) {
  if (!address.startsWith(prefix)) return -1;
  try {
    int t = Integer.parseInt(address.substring(prefix.length()));
    return (t >= 0 && t < MAX_TRACKS) ? t : -1;
  } catch (NumberFormatException e) {
    return -1;
  }
}

void oscEvent(OscMessage m) {
  String address = m.addrPattern();
  int n = m.arguments().length;
  synchronized (lock) {
    int t = trackOf(address, "/Lfmsg_ch");          // readme: 8 floats
    if (t >= 0 && n == N_FEATURES) {
      for (int k = 0; k < N_FEATURES; k++) features[t][k] = m.get(k).floatValue();
      instrument[t] = "";
      nTracks = max(nTracks, t + 1);
      return;
    }
    t = trackOf(address, "/LFmsg_ch");              // mirage-code: name, 4 floats, 0-4 pitches
    if (t >= 0 && n >= 5) {
      instrument[t] = m.get(0).stringValue();
      for (int k = 0; k < N_FEATURES; k++) features[t][k] = (k + 1 < n) ? m.get(k + 1).floatValue() : 0;
      nTracks = max(nTracks, t + 1);
      return;
    }
    if ((address.equals("/Hfmsg_ch0") || address.equals("/HFmsg_ch0")) && n == 2) {
      trailArousal[nMoods % TRAIL] = m.get(0).floatValue();
      trailValence[nMoods % TRAIL] = m.get(1).floatValue();
      nMoods++;
      return;
    }
    if (address.equals("/mirage/status") && n == 6) {
      for (int k = 0; k < 5; k++) statusCounts[k] = m.get(k).intValue();
      device = m.get(5).stringValue();
    }
  }
}

float hzToX(float hz, float x0, float w) {
  if (hz <= 0) return x0;
  return x0 + w * constrain(log(hz / MIN_HZ) / log(MAX_HZ / MIN_HZ), 0, 1);
}

void draw() {
  background(18);
  synchronized (lock) {
    drawTracks(20, 40, 600, height - 80);
    drawMood(660, 40, 320);
    fill(200);
    textSize(12);
    text("status: xruns " + statusCounts[0] + "  drops " + statusCounts[1] + "  OSC errors " + statusCounts[2]
      + "  emotion restarts " + statusCounts[3] + "  device losses " + statusCounts[4] + "  device " + device,
      20, height - 15);
  }
}

void drawTracks(float x0, float y0, float w, float h) {
  fill(220);
  textSize(14);
  text(nTracks == 0 ? "waiting for MIRAGE on port " + PORT + " ..." : "tracks (log frequency, 20 Hz to 20 kHz)", x0, y0 - 15);
  if (nTracks == 0) return;
  float rowH = min(90, h / nTracks);
  for (int t = 0; t < nTracks; t++) {
    float y = y0 + t * rowH;
    float[] f = features[t];
    fill(160);
    textSize(11);
    text(t + " " + instrument[t], x0, y + 12);
    float bx = x0 + 80, bw = w - 80, bh = (rowH - 16) / 3;
    noStroke();
    fill(80, 160, 255);                             // centroid
    rect(bx, y, hzToX(f[0], 0, bw), bh);
    fill(255, 170, 60);                             // roll-off
    rect(bx, y + bh, hzToX(f[3], 0, bw), bh);
    fill(120, 220, 120);                            // flatness, 0..1
    rect(bx, y + 2 * bh, bw * constrain(f[2], 0, 1), bh);
    stroke(255);
    for (int k = 4; k < N_FEATURES; k++) {          // pitches as ticks; 0 = none
      if (f[k] > 0) line(hzToX(f[k], bx, bw), y, hzToX(f[k], bx, bw), y + 3 * bh);
    }
  }
}

void drawMood(float x0, float y0, float size) {
  noFill();
  stroke(90);
  rect(x0, y0, size, size);
  line(x0 + size / 2, y0, x0 + size / 2, y0 + size);
  line(x0, y0 + size / 2, x0 + size, y0 + size / 2);
  fill(200);
  textSize(12);
  text("valence -> ", x0 + size - 70, y0 + size + 15);
  text("arousal ^", x0 + 4, y0 + 14);
  int n = min(nMoods, TRAIL);
  noStroke();
  for (int i = 0; i < n; i++) {                     // oldest first, fading in
    int j = (nMoods - n + i) % TRAIL;
    float x = x0 + size * (trailValence[j] + 1) / 2;
    float y = y0 + size * (1 - trailArousal[j]) / 2;
    fill(255, 80, 120, 40 + 215 * (i + 1) / n);
    ellipse(x, y, i == n - 1 ? 14 : 6, i == n - 1 ? 14 : 6);
  }
}
