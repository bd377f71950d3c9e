namespace GitOps.Orchestrations.Api.Problems;

/// <summary>
/// A request the API turns down, with what an RFC 7807 problem body needs. Handlers throw it; the
/// one place that runs handlers writes it, so every refusal has the same shape in both hosts.
/// </summary>
public sealed class ApiProblemException(int status, string title, string detail, IReadOnlyList<string>? errors = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    /// <summary>Line-level errors, such as <c>file:line:col: error: ...</c> diagnostics.</summary>
    public IReadOnlyList<string>? Errors { get; } = errors;

    public static ApiProblemException BadRequest(string detail) => new(400, "Bad request", detail);

    public static ApiProblemException Unauthorized() => new(401, "Unauthorized", "authenticate with an API key (X-Api-Key) or a bearer token");

    public static ApiProblemException Forbidden(string detail) => new(403, "Forbidden", detail);

    public static ApiProblemException NotFound(string detail) => new(404, "Not found", detail);

    public static ApiProblemException Conflict(string detail) => new(409, "Conflict", detail);

    public static ApiProblemException TooLarge(long limit) => new(413, "Payload too large", $"the request body exceeds {limit} bytes");

    public static ApiProblemException Invalid(string detail, IReadOnlyList<string>? errors = null) => new(422, "Unprocessable entity", detail, errors);
}
