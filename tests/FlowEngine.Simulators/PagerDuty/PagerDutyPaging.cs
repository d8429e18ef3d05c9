using System.Globalization;

namespace FlowEngine.Simulators.PagerDuty;

/// <summary>Classic offset pagination: <c>limit</c> (default 25, clamped to 100), <c>offset</c>, <c>total</c>, and the 10,000 cap.</summary>
internal sealed record PagerDutyPaging(int Limit, int Offset, bool Total)
{
    public const int DefaultLimit = 25;
    public const int MaxLimit = 100;
    public const int MaxWindow = 10_000;

    public static bool TryParse(IQueryCollection query, out PagerDutyPaging paging, out IResult? error)
    {
        paging = new PagerDutyPaging(DefaultLimit, 0, false);
        error = null;
        if (!TryInt(query, "limit", DefaultLimit, out var limit) || limit < 1)
        {
            error = PagerDutyErrors.InvalidInputError("Invalid Input Provided", "Limit must be a positive integer.");
            return false;
        }

        if (!TryInt(query, "offset", 0, out var offset) || offset < 0)
        {
            error = PagerDutyErrors.InvalidInputError("Invalid Input Provided", "Offset must be a non-negative integer.");
            return false;
        }

        if (!TryBool(query, "total", out var total))
        {
            error = PagerDutyErrors.InvalidInputError("Invalid Input Provided", "Total must be true or false.");
            return false;
        }

        limit = Math.Min(limit, MaxLimit);
        if ((long)offset + limit > MaxWindow)
        {
            error = PagerDutyErrors.InvalidInputError(
                $"Offset + limit must not exceed {MaxWindow}: classic pagination only reaches the first {MaxWindow} records.",
                $"offset ({offset}) + limit ({limit}) > {MaxWindow}");
            return false;
        }

        paging = new PagerDutyPaging(limit, offset, total);
        return true;
    }

    /// <summary>The response envelope: the page of items under <paramref name="name"/>, with limit, offset, more and total.</summary>
    public Dictionary<string, object?> Envelope<T>(string name, IReadOnlyList<T> all, int servedOffset, Func<T, object> render)
    {
        var items = all.Skip(servedOffset).Take(Limit).Select(render).ToList();
        return new Dictionary<string, object?>
        {
            [name] = items,
            ["limit"] = Limit,
            ["offset"] = Offset,
            ["more"] = Offset + Limit < all.Count,
            ["total"] = Total ? all.Count : null,
        };
    }

    public static bool TryBool(IQueryCollection query, string name, out bool value)
    {
        value = false;
        var text = query[name].ToString();
        return text.Length == 0 || bool.TryParse(text, out value);
    }

    private static bool TryInt(IQueryCollection query, string name, int fallback, out int value)
    {
        var text = query[name].ToString();
        value = fallback;
        return text.Length == 0 || int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
