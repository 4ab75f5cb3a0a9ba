package stealth

// ResolveReplyCode exposes resolveReplyCode to the external tests.
var ResolveReplyCode = resolveReplyCode
