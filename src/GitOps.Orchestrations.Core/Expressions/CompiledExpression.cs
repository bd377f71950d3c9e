using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Acornima;
using Acornima.Ast;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Templating;

namespace GitOps.Orchestrations.Core.Expressions;

/// <summary>
/// An expression checked against the sandbox and ready to evaluate. Values never become code: each
/// <c>{{...}}</c> reference is turned into a variable when the expression is compiled, so
/// <c>'{{params.env}}' == 'prod'</c> compares the param's text as a string whatever it holds, and
/// <c>{{tasks.a.outputs.n}} &gt; 3</c> compares the output as a value. The compiled form is the
/// same for every run, so it is compiled once and cached by its text.
/// </summary>
public sealed partial class CompiledExpression
{
    /// <summary>Variables every run-time expression can read, besides any its context adds.</summary>
    public static readonly IReadOnlySet<string> ScopeVariables = new HashSet<string>(StringComparer.Ordinal) { "params", "tasks", "item", "workflow" };

    CompiledExpression(string source, string code, IReadOnlyList<Reference> references, ExpressionSandbox.Findings findings)
    {
        Source = source;
        Code = code;
        References = references;
        Variables = findings.Variables;
        Paths = findings.Paths;
        ComputedRoots = findings.ComputedRoots;
        TaskNames = Paths.Select(p => p.Split('.')).Where(p => p.Length >= 2 && p[0] == "tasks").Select(p => p[1]).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The expression as written.</summary>
    public string Source { get; }

    /// <summary>The JavaScript evaluated: the source with its references turned into variables.</summary>
    internal string Code { get; }

    /// <summary>A <c>{{path}}</c> in the source: bound as text when written inside quotes, as a value otherwise.</summary>
    internal sealed record Reference(string Variable, TemplateReference Template, bool Quoted);

    internal IReadOnlyList<Reference> References { get; }

    /// <summary>The <c>{{...}}</c> references, with their columns in <see cref="Source"/>.</summary>
    public IEnumerable<TemplateReference> TemplateReferences => References.Select(r => r.Template);

    /// <summary>The variables the expression reads by name, such as <c>params</c>, <c>result</c> or <c>status</c>.</summary>
    public IReadOnlySet<string> Variables { get; }

    /// <summary>Static paths into variables, such as <c>params.env</c> or <c>tasks.build.outputs.image</c>, for validation.</summary>
    public IReadOnlySet<string> Paths { get; }

    /// <summary>Variables read with computed property names, which validation cannot follow.</summary>
    public IReadOnlySet<string> ComputedRoots { get; }

    /// <summary>The tasks whose outputs the expression reads as <c>tasks.NAME</c>.</summary>
    public IReadOnlySet<string> TaskNames { get; }

    /// <summary>
    /// Parses and checks <paramref name="source"/>; a problem is thrown as an
    /// <see cref="ExpressionException"/> with its place in the source.
    /// </summary>
    internal static CompiledExpression Compile(string source, ExpressionLimits limits)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            throw new ExpressionException("expression is empty", SourcePosition.Start);
        }

        if (ExpressionSandbox.Prescan(source, limits) is { } early)
        {
            throw new ExpressionException($"expression {early.Problem}", PositionAt(source, early.Offset));
        }

        // Each reference becomes a placeholder name of exactly its own length (where it can), so every
        // position the parser reports is a position in the source as written.
        var templates = new List<TemplateReference>();
        var names = new List<string>();
        string text = ReferencePattern().Replace(source, match =>
        {
            string name = $"$r{templates.Count}$";
            name += new string('_', Math.Max(0, match.Length - name.Length));
            templates.Add(new TemplateReference(match.Groups[1].Value, match.Index + 1));
            names.Add(name);
            return name;
        });
        if (templates.Count > limits.MaxReferences)
        {
            throw new ExpressionException($"expression holds {templates.Count} {{{{...}}}} references; the limit is {limits.MaxReferences}", SourcePosition.Start);
        }

        Script script;
        try
        {
            script = new Parser().ParseScript(text, strict: true);
        }
        catch (ParseErrorException e)
        {
            throw new ExpressionException($"invalid expression: {e.Description}", new(Math.Max(1, e.LineNumber), e.Column + 1));
        }

        if (script.Body.Count != 1 || script.Body[0] is not ExpressionStatement statement)
        {
            throw new ExpressionException("must be a single expression", SourcePosition.Start);
        }

        var findings = new ExpressionSandbox.Findings();
        if (ExpressionSandbox.Walk(statement, limits, names.Contains, findings) is { } broken)
        {
            throw new ExpressionException(broken.Problem, new(broken.At.Location.Start.Line, broken.At.Location.Start.Column + 1));
        }

        (string code, bool[] quoted) = Rewrite(text, names, findings);
        List<Reference> references = templates.Select((t, i) => new Reference(names[i], t, quoted[i])).ToList();
        return new CompiledExpression(source, code, references, findings);
    }

    /// <summary>
    /// Placeholders written bare stay as variables. Inside a quoted string they become a
    /// concatenation of the string's pieces and the variable; inside a backquoted template they
    /// become <c>${...}</c>. Either way the value arrives as data.
    /// </summary>
    static (string Code, bool[] Quoted) Rewrite(string text, IReadOnlyList<string> names, ExpressionSandbox.Findings findings)
    {
        bool[] quoted = new bool[names.Count];
        var edits = new List<(int Start, int End, string With)>();
        foreach (StringLiteral literal in findings.Strings)
        {
            List<(int At, int Index)> found = Occurrences(literal.Value, names);
            if (found.Count == 0)
            {
                continue;
            }

            var pieces = new List<string>();
            int from = 0;
            foreach ((int at, int index) in found)
            {
                quoted[index] = true;
                pieces.Add(JsonSerializer.Serialize(literal.Value[from..at]));
                pieces.Add(names[index]);
                from = at + names[index].Length;
            }

            pieces.Add(JsonSerializer.Serialize(literal.Value[from..]));
            edits.Add((literal.Start, literal.End, "(\"\" + " + string.Join(" + ", pieces.Where(p => p != "\"\"")) + ")"));
        }

        foreach (TemplateElement part in findings.TemplateParts)
        {
            string raw = text[part.Start..part.End];
            List<(int At, int Index)> found = Occurrences(raw, names);
            if (found.Count == 0)
            {
                continue;
            }

            var rewritten = new StringBuilder();
            int from = 0;
            foreach ((int at, int index) in found)
            {
                quoted[index] = true;
                rewritten.Append(raw, from, at - from).Append("${").Append(names[index]).Append('}');
                from = at + names[index].Length;
            }

            edits.Add((part.Start, part.End, rewritten.Append(raw, from, raw.Length - from).ToString()));
        }

        var code = new StringBuilder(text);
        foreach (var (start, end, replacement) in edits.OrderByDescending(e => e.Start))
        {
            code.Remove(start, end - start).Insert(start, replacement);
        }

        return (code.ToString(), quoted);
    }

    /// <summary>Where placeholders occur in a piece of text, in order.</summary>
    static List<(int At, int Index)> Occurrences(string text, IReadOnlyList<string> names)
    {
        var found = new List<(int, int)>();
        foreach (Match match in PlaceholderStart().Matches(text))
        {
            int index = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (index < names.Count && string.CompareOrdinal(text, match.Index, names[index], 0, names[index].Length) == 0)
            {
                found.Add((match.Index, index));
            }
        }

        return found;
    }

    /// <summary>True when the expression is true; anything but a boolean is an error, never truthiness.</summary>
    public bool EvaluateBoolean(ITemplateScope? scope = null, IReadOnlyDictionary<string, JsonElement>? variables = null)
    {
        JsonElement value = Evaluate(scope, variables);
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ExpressionException($"expression '{Source}' must be true or false, but it gave {Describe(value)}"),
        };
    }

    /// <summary>
    /// Evaluates with the values <paramref name="scope"/> resolves (references, <c>params</c>,
    /// <c>tasks</c>, <c>item</c>, <c>workflow</c>) and the named <paramref name="variables"/>, which win.
    /// </summary>
    public JsonElement Evaluate(ITemplateScope? scope = null, IReadOnlyDictionary<string, JsonElement>? variables = null)
    {
        var bindings = new List<ExpressionLanguage.Binding>();
        foreach (Reference reference in References)
        {
            if (scope is null || !scope.TryResolve(reference.Template.Path, out JsonElement value))
            {
                throw new ExpressionException($"'{{{{{reference.Template.Path}}}}}' cannot be resolved here");
            }

            bindings.Add(reference.Quoted
                ? new(reference.Variable, JsonSerializer.Serialize(Template.AsText(value)))
                : new(reference.Variable, AsValue(value)));
        }

        foreach (string name in Variables)
        {
            if (variables is not null && variables.TryGetValue(name, out JsonElement given))
            {
                bindings.Add(new(name, given.GetRawText()));
            }
            else if (scope is not null && ResolveScopeVariable(name, scope) is JsonElement fromScope)
            {
                bindings.Add(new(name, fromScope.GetRawText()));
            }
        }

        return ExpressionLanguage.Run(this, bindings);
    }

    JsonElement? ResolveScopeVariable(string name, ITemplateScope scope)
    {
        if (name == "tasks")
        {
            var tasks = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (string task in TaskNames)
            {
                if (scope.TryResolve($"tasks.{task}", out JsonElement found))
                {
                    tasks[task] = found;
                }
            }

            return JsonSerializer.SerializeToElement(tasks);
        }

        return ScopeVariables.Contains(name) && scope.TryResolve(name, out JsonElement value) ? value : null;
    }

    /// <summary>
    /// A bare reference reads as the value it holds: a number, true, false or null written as text
    /// (params are text) is that value, anything else is the text or structure itself.
    /// </summary>
    static string AsValue(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 and < 64 } text)
        {
            try
            {
                using JsonDocument parsed = JsonDocument.Parse(text);
                if (parsed.RootElement.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null)
                {
                    return parsed.RootElement.GetRawText();
                }
            }
            catch (JsonException)
            {
                // Not a scalar: the text it is.
            }
        }

        return value.GetRawText();
    }


    static SourcePosition PositionAt(string source, int offset)
    {
        int line = 1, column = 1;
        for (int i = 0; i < offset && i < source.Length; i++)
        {
            (line, column) = source[i] == '\n' ? (line + 1, 1) : (line, column + 1);
        }

        return new(line, column);
    }

    internal static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string '{value.GetString()}'",
        JsonValueKind.Null or JsonValueKind.Undefined => "undefined",
        _ => $"{value.ValueKind.ToString().ToLowerInvariant()} {value.GetRawText()}",
    };

    /// <summary>A stable key for memoising results: the code and every bound value.</summary>
    internal static string KeyOf(string code, IReadOnlyList<ExpressionLanguage.Binding> bindings)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(code));
        foreach (ExpressionLanguage.Binding binding in bindings)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"\0{binding.Name}\0{binding.Json}"));
        }

        return Convert.ToBase64String(hash.GetHashAndReset());
    }

    [GeneratedRegex(@"\{\{\s*([^{}]*?)\s*\}\}")]
    private static partial Regex ReferencePattern();

    [GeneratedRegex(@"\$r([0-9]+)\$")]
    private static partial Regex PlaceholderStart();
}
