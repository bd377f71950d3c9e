using System.Text.Json;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Core.Caching;
using GitOps.Orchestrations.Core.Model;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Native.Object;
using Jint.Runtime;

namespace GitOps.Orchestrations.Core.Expressions;

/// <summary>
/// The one expression language of workflows: <c>when</c>, success conditions and analysis
/// conditions are JavaScript expressions (ECMAScript syntax, evaluated by Jint) inside a sandbox
/// (<see cref="ExpressionSandbox"/>): a single expression, no functions, assignments or
/// constructors, no code generation, no clock or randomness (orchestrators replay it), calls only
/// to pure functions, and each evaluation bounded in time, size, depth, regex time and memory.
/// Values reach it as variables, never as code (<see cref="CompiledExpression"/>).
/// <c>depends</c> uses the same operators in its own smaller grammar; see <see cref="DependsExpression"/>.
/// </summary>
public static class ExpressionLanguage
{
    static readonly BoundedCache<string, CompiledOrProblem> Compiled = new(2048, StringComparer.Ordinal);
    static readonly BoundedCache<string, Prepared<Acornima.Ast.Script>> Prepared = new(2048, StringComparer.Ordinal);
    static readonly BoundedCache<string, Outcome> Results = new(4096, StringComparer.Ordinal);

    public static ExpressionLimits Limits => ExpressionLimits.Default;

    /// <summary>
    /// Checks syntax and the sandbox rules; returns null when the expression is acceptable.
    /// <paramref name="variables"/>, when given, are the names it may read besides the built-in
    /// globals (a condition over an HTTP response may read <c>status</c>, an analysis <c>result</c>).
    /// </summary>
    /// <param name="position">Where in <paramref name="source"/> the problem is, 1-based.</param>
    public static string? Check(string source, out SourcePosition position, IReadOnlySet<string>? variables = null, bool allowTemplates = true)
    {
        position = SourcePosition.Start;
        CompiledOrProblem compiled = CompileOrProblem(source);
        if (compiled.Problem is not null)
        {
            position = compiled.Position;
            return compiled.Problem;
        }

        CompiledExpression expression = compiled.Expression!;
        if (!allowTemplates && expression.References.Count > 0)
        {
            position = new(1, expression.References[0].Template.Column);
            return "{{...}} references are not allowed here";
        }

        if (variables is not null && expression.Variables.FirstOrDefault(v => !variables.Contains(v)) is string unknown)
        {
            position = PositionOf(source, unknown);
            return $"unknown name '{unknown}' (this expression can read: {string.Join(", ", variables.Concat(ExpressionSandbox.Globals).Order(StringComparer.Ordinal))})";
        }

        return null;
    }

    /// <summary>The checked, compiled expression, from a bounded cache; throws <see cref="ExpressionException"/> with a position.</summary>
    public static CompiledExpression Compile(string source)
    {
        CompiledOrProblem compiled = CompileOrProblem(source);
        return compiled.Expression ?? throw new ExpressionException($"expression '{Shorten(source)}': {compiled.Problem}", compiled.Position);
    }

    public static bool EvaluateBoolean(string source, IReadOnlyDictionary<string, JsonElement>? variables = null) =>
        Compile(source).EvaluateBoolean(null, variables);

    /// <summary>Evaluates to plain JSON so callers never hold engine values.</summary>
    public static JsonElement Evaluate(string source, IReadOnlyDictionary<string, JsonElement>? variables = null) =>
        Compile(source).Evaluate(null, variables);

    static CompiledOrProblem CompileOrProblem(string source) => Compiled.GetOrAdd(source, static text =>
    {
        try
        {
            return new CompiledOrProblem(CompiledExpression.Compile(text, Limits), null, SourcePosition.Start);
        }
        catch (ExpressionException e)
        {
            return new CompiledOrProblem(null, e.Message, e.Position ?? SourcePosition.Start);
        }
    });

    sealed record CompiledOrProblem(CompiledExpression? Expression, string? Problem, SourcePosition Position);

    /// <summary>A variable of one evaluation, as JSON text.</summary>
    internal readonly record struct Binding(string Name, string Json);

    /// <summary>An evaluation's value, or why it failed; both are remembered, as both are deterministic.</summary>
    sealed record Outcome(JsonElement Value, string? Error);

    /// <summary>
    /// Evaluates compiled code with its bindings. Results are remembered by code and values:
    /// evaluation is deterministic, and orchestrators evaluate the same condition on every replay, so
    /// a replay costs a lookup, and a run never sees two answers to one question within a process.
    /// </summary>
    internal static JsonElement Run(CompiledExpression expression, IReadOnlyList<Binding> bindings)
    {
        long size = bindings.Sum(b => (long)b.Json.Length);
        if (size > Limits.MaxInputChars)
        {
            throw new ExpressionException($"expression '{Shorten(expression.Source)}' was given {size} characters of values; the limit is {Limits.MaxInputChars}");
        }

        Outcome outcome = Results.GetOrAdd(CompiledExpression.KeyOf(expression.Code, bindings), _ => Execute(expression, bindings));
        return outcome.Error is null ? outcome.Value : throw new ExpressionException(outcome.Error);
    }

    static Outcome Execute(CompiledExpression expression, IReadOnlyList<Binding> bindings)
    {
        string shown = Shorten(expression.Source);
        try
        {
            Prepared<Acornima.Ast.Script> prepared = Prepared.GetOrAdd(expression.Code, static code => Engine.PrepareScript(code, strict: true));
            Engine engine = NewEngine();
            var parser = new JsonParser(engine);
            foreach (Binding binding in bindings)
            {
                engine.SetValue(binding.Name, parser.Parse(binding.Json));
            }

            JsValue value = engine.Evaluate(prepared);
            string json = value.IsUndefined() ? "null" : new Jint.Native.Json.JsonSerializer(engine).Serialize(value).ToString();
            using JsonDocument document = JsonDocument.Parse(json == "undefined" ? "null" : json);
            return new Outcome(document.RootElement.Clone(), null);
        }
        catch (JavaScriptException e)
        {
            return new Outcome(default, $"expression '{shown}' failed: {e.Message}");
        }
        catch (RegexMatchTimeoutException)
        {
            return new Outcome(default, $"expression '{shown}': a regular expression took longer than {Durations.Format(Limits.RegexTimeout)} to match");
        }
        catch (TimeoutException)
        {
            return new Outcome(default, $"expression '{shown}' took longer than {Durations.Format(Limits.Timeout)}");
        }
        catch (StatementsCountOverflowException)
        {
            return new Outcome(default, $"expression '{shown}' did too much work");
        }
        catch (MemoryLimitExceededException)
        {
            return new Outcome(default, $"expression '{shown}' used too much memory");
        }
        catch (RecursionDepthOverflowException)
        {
            return new Outcome(default, $"expression '{shown}' recursed too deeply");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or OverflowException)
        {
            return new Outcome(default, $"expression '{shown}' failed: {e.Message}");
        }
    }

    static Engine NewEngine()
    {
        var engine = new Engine(options =>
        {
            options.Strict()
                .TimeoutInterval(Limits.Timeout)
                .MaxStatements(10_000)
                .LimitMemory(16_000_000)
                .LimitRecursion(32)
                .DisableStringCompilation();
            options.Constraints.RegexTimeout = Limits.RegexTimeout;
            options.Constraints.MaxArraySize = Limits.MaxArraySize;
        });

        // Only the allow-listed globals stay: no clock (Date, Temporal, Intl), no randomness, no
        // weak references whose answers depend on the garbage collector, no code generation.
        foreach (JsValue key in engine.Global.GetOwnPropertyKeys().ToList())
        {
            if (!ExpressionSandbox.Globals.Contains(key.ToString()))
            {
                engine.Global.RemoveOwnProperty(key);
            }
        }

        ((ObjectInstance)engine.Global.Get("Math")).RemoveOwnProperty("random");
        engine.SetValue("len", new Func<JsValue, double>(Length));
        return engine;
    }

    static double Length(JsValue value) => value switch
    {
        _ when value.IsArray() => value.AsArray().Length,
        _ when value.IsString() => value.AsString().Length,
        _ when value.IsNull() || value.IsUndefined() => 0,
        ObjectInstance o => o.GetOwnProperties().Count(),
        _ => throw new JavaScriptException($"len() takes a list, a string or an object, not {value.Type.ToString().ToLowerInvariant()}"),
    };

    static SourcePosition PositionOf(string source, string name)
    {
        Match match = Regex.Match(source, $@"(?<![\w$.]){Regex.Escape(name)}(?![\w$])", RegexOptions.None, TimeSpan.FromSeconds(1));
        return match.Success ? new(1, match.Index + 1) : SourcePosition.Start;
    }

    internal static string Shorten(string text) => text.Length > 200 ? text[..197] + "..." : text;
}

/// <summary>An expression that cannot be checked or evaluated; <see cref="Position"/> says where when it is known.</summary>
public sealed class ExpressionException(string message, SourcePosition? position = null) : Exception(message)
{
    public SourcePosition? Position { get; } = position;
}
