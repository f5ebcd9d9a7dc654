import { FlatProgram } from './small-programs.ts';

/**
 * A max pool's input gradient where the windows tile the input without overlap (stride = window, no
 * padding, as tfjs-layers' maxPooling2d makes them): one pass, each input element finding its window's
 * maximum and taking the window's dy if it holds it. tfjs's kernel first writes every window's arg-max in a
 * pass of its own. Ties go to the last maximum in row-major window order, as tfjs's do.
 */
export class MaxPoolTiledGradProgram extends FlatProgram {
  shaderKey = 'dcMaxPoolTiledGrad';
  variableNames = ['dy', 'x'];
  uniforms = 'window : vec2<i32>,';

  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    let coords = getCoordsFromIndex(index);
    let b = coords[0];
    let d = coords[3];
    let wr = coords[1] / uniforms.window.x;
    let wc = coords[2] / uniforms.window.y;
    var grad = 0.0;
    if (wr < uniforms.dyShape[1] && wc < uniforms.dyShape[2]) {
      let r0 = wr * uniforms.window.x;
      let c0 = wc * uniforms.window.y;
      var best = getX(b, r0, c0, d);
      var at = vec2<i32>(r0, c0);
      for (var r = r0; r < r0 + uniforms.window.x; r = r + 1) {
        for (var c = c0; c < c0 + uniforms.window.y; c = c + 1) {
          let v = getX(b, r, c, d);
          if (v >= best) {
            best = v;
            at = vec2<i32>(r, c);
          }
        }
      }
      if (at.x == coords[1] && at.y == coords[2]) {
        grad = getDy(b, wr, wc, d);
      }
    }
    setOutputAtIndex(index, grad);
  }
}`;
  }
}
