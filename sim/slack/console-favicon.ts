/**
 * The console's tab icon, served at /favicon.ico (browsers ask there unprompted; a 404 for it is noise in every
 * devtools console). SVG, so it is a few hundred bytes of text instead of a binary in the repository.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#3f0e40"/>
<path d="M9 9h14M9 16h10M9 23h14M9 9v14" stroke="#2eb67d" stroke-width="3.5" stroke-linecap="round" fill="none"/>
</svg>
`;
