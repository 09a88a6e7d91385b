// The embeddable web chat widget (built to /widget/widget.js). Under construction.
export {};
