// The Marp engine for the workshop's slides: Marp Core as it comes,
// but for the lines that mark a quote of container.c, `<!-- region
// NAME stage N -->` or `<!-- function NAME stage N -->`, and
// `<!-- endregion -->` (tools/quote.sh fills the code between them):
// they are dropped. Marp would otherwise take them, as
// it takes every HTML comment, for presenter notes.
const { Marp } = require('@marp-team/marp-core')

const marker =
  /^<!-- ((region|function) [A-Za-z0-9_]+( stage [0-9]+)?|endregion) -->$/

function dropQuoteMarkers(md) {
  md.block.ruler.before('marpit_comment', 'quote_marker',
    (state, start, end, silent) => {
      const from = state.bMarks[start] + state.tShift[start]
      if (!marker.test(state.src.slice(from, state.eMarks[start])))
        return false
      if (!silent)
        state.line = start + 1
      return true
    })
}

module.exports = (options) => new Marp(options).use(dropQuoteMarkers)
